import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, RedisContext, type RedisEvents, Server } from '@nestjs/microservices';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { BurstLogger } from '../burst-logger.js';
import { SIGNATURE_CHARS, signPacket, verifyPacket } from '../packet-signature.js';
import { ConnectionWatchdog } from './connection-watchdog.js';
import { reconnectDelay } from './reconnect-delay.js';
import { ShardSubscribers } from './shard-subscribers.js';

/** The `transportId` of the dispatch transport: a custom strategy names itself with a symbol of its own. */
export const REDIS_DISPATCH_TRANSPORT = Symbol('WS_REDIS_DISPATCH');

/** What `status` emits, the same words as Nest's `ServerRedis`. */
export type RedisDispatchStatus = 'connected' | 'reconnecting' | 'disconnected';

export interface RedisDispatchSettings {
  /**
   * Where Redis is (host, port, password, db, TLS …); the transport fixes what dispatch needs on top. With
   * `cluster`, what every connection to a cluster node shares (password, TLS …; host and port come from the cluster).
   */
  connection: RedisOptions;
  /** The startup nodes of a Redis Cluster: dispatch then uses sharded pub/sub (SSUBSCRIBE, SPUBLISH; Redis ≥ 7). */
  cluster?: { host: string; port: number }[];
  /** Larger messages are refused before they are parsed. */
  maxPacketBytes: number;
  /** How long a command may wait for Redis; paces the watchdog too. */
  publishTimeout: number;
  /** With it, every message is signed on the way out and must be on the way in (`signPacket`). */
  secret: string | undefined;
  /** Called for each message refused before it reached a handler. */
  onRefused: (why: string) => void;
}

type Role = 'pub' | 'sub' | 'cmd';

/**
 * A Nest microservice transport over Redis pub/sub, on the public custom-transport API (`Server` +
 * `CustomTransportStrategy`), so WsModule owns one and an app could also `connectMicroservice({ strategy })` it.
 * Two ioredis connections, a subscriber and a publisher, with what dispatch needs fixed:
 * - it reconnects forever, with exponential backoff and jitter (`reconnectDelay`), and a node that boots while
 *   Redis is down serves its own sessions and subscribes as soon as Redis answers;
 * - the publisher never queues commands while Redis is away (ioredis' offline queue is unbounded and would hide
 *   the loss), never waits on Redis past the publish timeout, never re-sends a command after a reconnect (a
 *   publish already counted as failed must not arrive late), and fails a publish at once unless it is ready;
 * - a connection that stops answering while staying open is reset and reconnected (`ConnectionWatchdog`);
 * - connection errors and handler failures are logged once per burst, not once per retry or per message;
 * - every message is an event: one carrying an `id` (Nest's request framing) never makes this node publish a
 *   reply, so a forger cannot make every node publish once per forged packet;
 * - an oversize message, and with a secret an unsigned or wrongly signed one, is refused before it is parsed.
 * Messages use Nest's `{ pattern, data }` framing (read with Nest's deserializer), so an unsigned packet can come
 * from a Nest `ClientRedis#emit()` too.
 *
 * On a Redis Cluster (`settings.cluster`) the same holds with sharded pub/sub: the publisher is an ioredis `Cluster`
 * that SPUBLISHes each message to the master owning its channel's slot, and the subscriber is one connection per
 * master owning one of this node's channels, which SSUBSCRIBEs there (`ShardSubscribers`). A message then crosses
 * one shard instead of being copied to every cluster node. Only connection setup, `subscribeAll` and `publish`
 * differ: framing, signing and checks are the same code.
 */
export class RedisDispatchServer extends Server<RedisEvents, RedisDispatchStatus> implements CustomTransportStrategy {
  override transportId: symbol = REDIS_DISPATCH_TRANSPORT;
  /** Standalone: the subscriber connection. */
  private readonly sub: Redis | undefined;
  /** Cluster: one subscriber connection per master owning a channel. */
  private readonly shards: ShardSubscribers | undefined;
  private readonly pub: Redis | Cluster;
  /** What `on()` was asked to listen to, for subscriber connections made later (the shards'). */
  private readonly listeners: [string, (role: Role, ...args: unknown[]) => void][] = [];
  private readonly errors = new BurstLogger(new Logger('WsCluster'));
  private readonly watchdog: ConnectionWatchdog;
  /** The connection for plain key commands (`commands()`), made on first use. */
  private commandClient: Redis | Cluster | undefined;
  private closed = false;

  constructor(private readonly settings: RedisDispatchSettings) {
    super();
    // Nest's own reading of an incoming message: `{ pattern, data }`, or anything else as the data itself.
    this.initializeDeserializer(undefined);
    const period = Math.min(5_000, Math.max(500, settings.publishTimeout));
    this.watchdog = new ConnectionWatchdog(period, (client, why) => this.errors.warn(`Redis ${this.roleOf(client)} connection: ${why}; reconnecting`));
    const received = (channel: string, message: string) => {
      this.handleMessage(channel, message).catch((err: unknown) => this.handleError(err));
    };
    if (settings.cluster) {
      const pub = this.createCluster('pub');
      this.pub = pub;
      this.shards = new ShardSubscribers(pub, {
        connect: (node) => this.createClient('sub', node),
        onMessage: received,
        onAdded: (client) => {
          this.watchStatus('sub', client);
          for (const [event, listener] of this.listeners) client.on(event, (...args: unknown[]) => listener('sub', ...args));
          if (!this.closed) this.watchdog.watch(client);
        },
        onRemoved: (client) => this.watchdog.unwatch(client),
        onError: (why) => this.errors.warn(why),
      });
    } else {
      this.pub = this.createClient('pub');
      this.sub = this.createClient('sub');
      this.watchStatus('sub', this.sub);
      this.sub.on('ready', () => this.subscribeAll());
      this.sub.on('message', received);
    }
    this.watchStatus('pub', this.pub);
  }

  /** Connects both clients; calls back once both are up, or at once (warning) when Redis is not reachable yet. */
  listen(callback: (err?: unknown) => void): void {
    this.watchdog.start(this.sub ? [this.sub, this.pub as Redis] : []);
    // The shards' subscribers connect as the cluster's slot map names their masters.
    if (this.shards) this.subscribeAll();
    void Promise.all([this.sub?.connect(), this.pub.connect()]).then(
      () => callback(),
      (err: Error) => {
        if (!this.closed) this.errors.warn(`Redis is not reachable yet (${err.message}); dispatch between nodes starts when it is`);
        callback();
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchdog.stop();
    const clients = [this.pub, ...(this.sub ? [this.sub] : []), ...(this.shards?.close() ?? []), ...(this.commandClient ? [this.commandClient] : [])];
    await Promise.all(clients.map((client) => disconnect(client, this.settings.publishTimeout)));
    this._status$.next('disconnected');
  }

  /** Listens to an ioredis event on both clients; the callback gets `'pub'` or `'sub'` first, as with `ServerRedis`. */
  on<EventKey extends keyof RedisEvents = keyof RedisEvents, EventCallback extends RedisEvents[EventKey] = RedisEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    const listener = callback as (role: Role, ...args: unknown[]) => void;
    this.pub.on(event, (...args: unknown[]) => listener('pub', ...args));
    if (this.sub) this.sub.on(event, (...args: unknown[]) => listener('sub', ...args));
    else {
      this.listeners.push([event, listener]);
      for (const client of this.shards!.clients) client.on(event, (...args: unknown[]) => listener('sub', ...args));
    }
  }

  /**
   * The ioredis clients: `[publisher, subscriber]`, as `ServerRedis#unwrap()` returns them; on a cluster
   * `[Cluster, Redis[]]`, the subscriber connections of the shards in use now.
   */
  unwrap<T = [Redis, Redis] | [Cluster, Redis[]]>(): T {
    return (this.sub ? [this.pub, this.sub] : [this.pub, this.shards!.clients]) as T;
  }

  /**
   * A connection for plain key commands (SET, HSET, SCAN, EVAL …) on the same Redis, made on first use and kept
   * apart from the publisher so a slow command never holds a publish. It has the publisher's guarantees: it
   * reconnects forever, queues nothing while Redis is away (a command then fails at once), never re-sends a command
   * after a reconnect, and rejects a command Redis does not answer within the publish timeout. Closed with the
   * transport.
   */
  commands(): Redis | Cluster {
    if (this.commandClient) return this.commandClient;
    const client = this.settings.cluster ? this.createCluster('cmd') : this.createClient('cmd');
    client.on('error', (err: Error) => this.errors.warn(`Redis command connection: ${err.message}`));
    this.commandClient = client;
    if (!this.closed) {
      if (client instanceof Redis) this.watchdog.watch(client);
      client.connect().catch(() => undefined); // retried by the retry strategy; commands fail until it is up
    }
    return client;
  }

  /**
   * PUBLISHes data already serialized as JSON, in Nest's `{ pattern, data }` framing (signed with the secret, if
   * any); resolves with how many subscribers got it. Fails at once unless the publisher is ready: ioredis would
   * write a PUBLISH during the handshake too (it is allowed while Redis loads), where it waits on a Redis that has
   * not answered yet. On a cluster it SPUBLISHes, which ioredis sends to the master owning the channel's slot (the
   * count is that shard's subscribers: every subscriber of a sharded channel is there); a master that is down fails
   * it at once.
   */
  publish(channel: string, json: string): Promise<number> {
    if (this.pub.status !== 'ready') return Promise.reject(new Error(`Redis is not connected (${this.pub.status})`));
    const body = framed(channel, json);
    const secret = this.settings.secret;
    const message = secret === undefined ? body : signPacket(secret, body);
    return this.pub instanceof Cluster ? (this.pub.spublish(channel, message) as Promise<number>) : this.pub.publish(channel, message);
  }

  /**
   * Most bytes of serialized data one message on `channel` may carry and still be accepted (`maxPacketBytes`, which
   * counts the whole message): the cap less the framing and, with a secret, the signature.
   */
  dataRoom(channel: string): number {
    return this.settings.maxPacketBytes - Buffer.byteLength(framed(channel, '')) - (this.settings.secret === undefined ? 0 : SIGNATURE_CHARS);
  }

  /**
   * A channel is the key its handler was added under, so it is looked up as it is. Nest's lookup first tries to read
   * the pattern as JSON, which for a channel name throws and catches a SyntaxError on every message received (about
   * 6 % of a busy node's time); it stays the fallback for object patterns.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /** Whatever a handler throws is logged once per burst: messages come from anyone who can publish to Redis. */
  protected override handleError(error: unknown): void {
    this.errors.warn(`Redis message handling failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Checks a message, decodes it with Nest's deserializer and hands it to the channel's handler, as an event. */
  private async handleMessage(channel: string, message: string): Promise<void> {
    if (Buffer.byteLength(message) > this.settings.maxPacketBytes) {
      this.settings.onRefused('larger than the largest packet');
      return;
    }
    let text = message;
    if (this.settings.secret !== undefined) {
      const body = verifyPacket(this.settings.secret, message);
      if (body === undefined) {
        this.settings.onRefused('unsigned or wrongly signed');
        return;
      }
      text = body;
    }
    // Not JSON: handed on as the raw string (as Nest does), for the handler to refuse.
    const packet = await this.deserializer.deserialize(parseJson(text), { channel });
    await this.handleEvent(channel, packet, new RedisContext([channel]));
  }

  /**
   * Subscribes to the channel of every handler (a `@MessagePattern` one too: it is called, never answered): on
   * each 'ready' of the standalone subscriber; once on a cluster, where each shard's connection SSUBSCRIBEs on its
   * own 'ready'.
   */
  private subscribeAll(): void {
    const channels = [...this.messageHandlers.keys()];
    if (this.shards) return this.shards.subscribe(channels);
    if (channels.length === 0) return;
    this.sub!.subscribe(...channels).catch((err: Error) => this.errors.warn(`Redis SUBSCRIBE failed: ${err.message}`));
  }

  /**
   * One connection to a standalone Redis, or (`node`) to one cluster master. Connection handling lives here and in
   * `createCluster`, and channel commands only in `subscribeAll` and `publish`.
   */
  private createClient(role: Role, node?: { host: string; port: number }): Redis {
    const common: RedisOptions = {
      ...this.settings.connection,
      ...node,
      lazyConnect: true,
      retryStrategy: (times) => (this.closed ? null : reconnectDelay(times)),
      autoResendUnfulfilledCommands: false,
    };
    // The subscriber subscribes on every 'ready' itself (`subscribeAll`), the first connection included.
    if (role === 'sub') return new Redis({ ...common, autoResubscribe: false });
    // Every command of the publisher (and of the command connection) settles: one Redis does not answer in time is
    // rejected, not left pending.
    return new Redis({ ...common, enableOfflineQueue: false, commandTimeout: this.settings.publishTimeout });
  }

  /**
   * An ioredis `Cluster` with the publisher's guarantees. It reconnects forever with jitter, the cluster as a whole
   * and each master's connection alike (`clusterNodeRetryStrategy`: a master killed and restarted keeps its slots).
   * It queues nothing: no offline queue on the cluster, each master's connection is opened as soon as ioredis
   * makes it, and one that is not ready fails a command at once. It never retries a command later (no delayed
   * retry on CLUSTERDOWN or a closed connection, no re-send after a reconnect), so a publish already counted as
   * failed cannot arrive late; MOVED and ASK are followed at once, as they mean the command did not run. Each
   * master's connection is watched by the watchdog, and the slot map is read again every few seconds.
   */
  private createCluster(role: Role): Cluster {
    const timeout = this.settings.publishTimeout;
    const retry = (times: number) => (this.closed ? null : reconnectDelay(times));
    const { host: _host, port: _port, ...shared } = this.settings.connection;
    const cluster = new Cluster(this.settings.cluster!, {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: retry,
      clusterNodeRetryStrategy: retry,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      retryDelayOnTryAgain: 0,
      slotsRefreshTimeout: timeout,
      slotsRefreshInterval: Math.max(1_000, Math.min(5_000, timeout * 5)),
      redisOptions: {
        ...shared,
        commandTimeout: timeout,
        connectTimeout: timeout,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      },
    });
    // ioredis makes a master's connection lazily and queues the first command while it connects (the cluster only
    // refuses commands for a connection that is neither ready nor unopened). Opening each one as soon as the
    // cluster is up means a command is only ever written on a ready connection or fails at once, never sent late
    // from that queue. (Not before: while ioredis itself connects the cluster, it must open them itself.)
    const open = (client: Redis) => {
      if (!this.closed && client.status === 'wait') client.connect().catch(() => undefined);
    };
    cluster.on('ready', () => cluster.nodes().forEach(open));
    cluster.on('+node', (client: Redis) => {
      if (this.closed) return;
      this.watchdog.watch(client);
      if (cluster.status === 'ready') open(client);
    });
    cluster.on('-node', (client: Redis) => this.watchdog.unwatch(client));
    cluster.on('node error', (err: Error, key: string) => this.errors.warn(`Redis ${role === 'pub' ? 'publisher' : 'command'} connection to ${key}: ${err.message}`));
    return cluster;
  }

  private roleOf(client: unknown): string {
    if (client === this.sub || this.shards?.clients.includes(client as Redis)) return 'subscriber';
    if (client === this.commandClient || (this.commandClient instanceof Cluster && this.commandClient.nodes().includes(client as Redis))) return 'command';
    return 'publisher';
  }

  private watchStatus(role: Role, client: Redis | Cluster): void {
    client.on('error', (err: Error) => this.errors.warn(`Redis ${role === 'sub' ? 'subscriber' : 'publisher'}: ${err.message}`));
    client.on('ready', () => this._status$.next('connected'));
    client.on('reconnecting', () => {
      if (!this.closed) this._status$.next('reconnecting');
    });
    // 'end' comes only after close(): the retry strategy never gives up.
  }

}

/** Nest's `{ pattern, data }` framing around data already serialized, in `JSON.stringify`'s key order. */
function framed(channel: string, json: string): string {
  return `{"pattern":${JSON.stringify(channel)},"data":${json}}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** QUITs a ready connection (waiting at most `ms`), and drops any other at once. */
async function disconnect(client: Redis | Cluster, ms: number): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    const quit = client.quit().then(
      () => undefined,
      () => undefined,
    );
    await Promise.race([quit, gaveUp]);
    clearTimeout(timer);
  }
  client.disconnect();
}
