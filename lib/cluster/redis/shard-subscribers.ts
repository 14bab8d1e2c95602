import type { Cluster, Redis } from 'ioredis';
import { keySlot } from './key-slot.js';

export interface ShardSubscriberHooks {
  /** Makes the subscriber connection to one master (the transport's retry, timeouts and handshake settings). */
  connect(node: { host: string; port: number }): Redis;
  onMessage(channel: string, message: string): void;
  /** A connection was made (to watch it), or closed for good (to stop watching it). */
  onAdded(client: Redis): void;
  onRemoved(client: Redis): void;
  onError(why: string): void;
}

/**
 * Sharded pub/sub on a Redis Cluster: a sharded channel lives on the master that owns its slot, and SSUBSCRIBE must
 * be sent there. ioredis' `Cluster` routes SPUBLISH by slot but leaves subscribing to a single connection unless
 * `shardedSubscribers` is on, and those connections never reconnect by themselves. So this keeps one subscriber
 * connection of our own per master that owns one of our channels, made like every other connection of the
 * transport (retry forever with jitter, watched by the watchdog), which SSUBSCRIBEs on every 'ready'. Which master
 * owns which channel comes from the `Cluster`'s slot map: read again after each slot refresh, and refreshed when a
 * master answers MOVED. A master killed and restarted keeps its slots: its subscriber reconnects and resubscribes.
 */
export class ShardSubscribers {
  /** Per master (`host:port`): its connection and the channels it carries. */
  private readonly shards = new Map<string, { client: Redis; channels: string[] }>();
  private channels: string[] = [];
  private closed = false;

  constructor(
    private readonly topology: Cluster,
    private readonly hooks: ShardSubscriberHooks,
  ) {
    // 'refresh' follows every slot map read (at connect, on MOVED, and every slotsRefreshInterval).
    topology.on('refresh', () => this.arrange());
    topology.on('ready', () => this.arrange());
  }

  /** The connections in use now. */
  get clients(): Redis[] {
    return [...this.shards.values()].map((shard) => shard.client);
  }

  /** Subscribes to these channels, each on the master owning it; replaces any earlier set. */
  subscribe(channels: string[]): void {
    this.channels = [...channels];
    this.arrange();
  }

  close(): Redis[] {
    this.closed = true;
    const clients = this.clients;
    this.shards.clear();
    return clients;
  }

  /** Matches the subscriber connections to the slot map: one per master owning a channel, with those channels. */
  private arrange(): void {
    if (this.closed) return;
    const wanted = new Map<string, string[]>();
    for (const channel of this.channels) {
      const owner = this.topology.slots[keySlot(channel)]?.[0];
      if (owner === undefined) continue; // no slot map yet: arranged again on the next refresh
      wanted.set(owner, [...(wanted.get(owner) ?? []), channel]);
    }
    for (const [key, shard] of this.shards) {
      if (sameList(wanted.get(key), shard.channels)) continue;
      this.shards.delete(key);
      this.hooks.onRemoved(shard.client);
      shard.client.disconnect();
    }
    for (const [key, channels] of wanted) {
      if (this.shards.has(key)) continue;
      const split = key.lastIndexOf(':');
      const client = this.hooks.connect({ host: key.slice(0, split), port: Number(key.slice(split + 1)) });
      this.shards.set(key, { client, channels });
      client.on('smessage', (channel: string, message: string) => this.hooks.onMessage(channel, message));
      client.on('ready', () => this.ssubscribe(client, channels));
      // ioredis answers a MOVED to SSUBSCRIBE with this event (the command itself is left unsettled).
      client.on('moved', () => this.topology.refreshSlotsCache());
      this.hooks.onAdded(client);
      client.connect().catch(() => undefined); // retried by its retry strategy; errors are logged by the hooks
    }
  }

  private ssubscribe(client: Redis, channels: string[]): void {
    // One SSUBSCRIBE per channel: channels in different slots may not share one (CROSSSLOT).
    for (const channel of channels) {
      client.ssubscribe(channel).catch((err: Error) => this.hooks.onError(`Redis SSUBSCRIBE ${channel} failed: ${err.message}`));
    }
  }
}

function sameList(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}
