import { randomBytes } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { WsResolvedOptions } from '../../interfaces/ws-module-options.interface.js';
import { SessionRegistry } from '../../session/session.registry.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../../ws.constants.js';
import { BurstLogger } from '../burst-logger.js';
import { ClusterDispatcher, type PacketRouter, type PacketTarget } from '../cluster-dispatcher.js';
import type { DispatchOp, DispatchPacket } from '../dispatch-packet.js';
import { withPublishTimeout } from '../publish-timeout.js';
import { RECONNECT_MAX_MS } from '../redis/reconnect-delay.js';
import { ConnectionWatchdog } from '../redis/connection-watchdog.js';
import { redisCommands } from '../redis/redis-commands.js';
import { type ClusterTransport, WS_CLUSTER_TRANSPORT } from '../cluster-transport.interface.js';
import { diffNodeState, type NodeState, readNodeState, type SpaceChanges } from './node-state.js';
import { encodeSpace } from './presence-keys.js';
import { presenceConnection } from './presence-connection.js';
import { PresenceStore } from './presence-store.js';
import { RouteCache, type RouteKind } from './route-cache.js';

/** How often this node's changes (connects, binds, joins, leaves, closes) are written, batched. */
export const PRESENCE_FLUSH_MS = 100;
/** How long a route read from the directory is trusted without being invalidated. */
export const ROUTE_TTL_MS = 1000;
const MAX_ROUTES = 10_000;
/** Ids one presence packet names at most; past that it says "all". */
const MAX_INVALIDATED = 1000;

/** Session and user counts across the cluster. */
export interface WsPresenceCount {
  /** Open sessions, anonymous ones included. */
  sessions: number;
  /** Distinct user ids bound to at least one session. */
  users: number;
}

/**
 * The presence directory: which node holds which users and groups, per space, kept in Redis under leases, so
 * the cluster-wide queries need no round of questions to every node, and push_user and groupcast go only to the
 * nodes that hold their target (with `redis.routing: 'interest'`, the default).
 *
 * - Writes stay off the send path: every `PRESENCE_FLUSH_MS` this node's state is read off its session indexes,
 *   diffed against what it last wrote, and the difference written in one MULTI.
 * - Each node holds a lease (`redis.leaseTtl`, renewed every third of it) carrying a random epoch per boot. Every
 *   node reaps, on its heartbeat, the entries of nodes whose lease is gone; reads ignore them before that. A node
 *   that finds its lease lapsed, or that (re)connects to Redis, starts over: a new write of its whole state.
 * - Nothing waits on Redis longer than `redis.publishTimeout`. A query Redis does not answer in time answers from
 *   this node's state alone and sets `degraded`; a send whose route is not known for sure goes to every node.
 */
@Injectable()
export class PresenceDirectory implements PacketRouter, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new BurstLogger(new Logger('WsPresence'));
  private readonly spaces: string[];
  private readonly nodeId: string;
  private readonly epoch = randomBytes(8).toString('hex');
  private readonly routes: RouteCache;
  private redis: Redis | undefined;
  private store: PresenceStore | undefined;
  /** What Redis holds for this node (valid while `synced`). */
  private written: NodeState = new Map();
  private synced = false;
  private writing = false;
  /** Routes are trusted only from this time on: after a (re)connect, other nodes need a heartbeat to write again. */
  private trustedFrom = Infinity;
  /** Nodes whose lease was gone at the last heartbeat: never routed to. */
  private dead = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private watchdog: ConnectionWatchdog | undefined;
  private closed = false;
  /** False on a Redis Cluster, where the connection is the transport's command client. */
  private ownsConnection = true;

  /** True when the last cluster-wide query could not reach Redis in time and answered from this node alone. */
  degraded = false;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly registry: SessionRegistry,
    private readonly cluster: ClusterDispatcher,
    @Optional() @Inject(WS_CLUSTER_TRANSPORT) private readonly transport?: ClusterTransport,
  ) {
    this.spaces = Object.keys(options.spaces);
    this.nodeId = options.nodeId;
    this.routes = new RouteCache(ROUTE_TTL_MS, MAX_ROUTES, (kind, space, id) => this.loadRoute(kind, space, id));
    if (options.redis) {
      // `routing: 'shared'` is the all-nodes design: without a router every push_user and groupcast goes on the
      // shared channel. The directory is still written and announced, for the cluster-wide queries and for nodes
      // beside this one that route by interest (a rolling switch between the two runs both at once).
      if (options.redis.routing === 'interest') cluster.setRouter(this);
      cluster.onPresence((packet) => this.invalidated(packet));
    }
  }

  /** True while this node's entries are in Redis, as written. */
  get inSync(): boolean {
    return this.synced && this.redis?.status === 'ready';
  }

  async onApplicationBootstrap(): Promise<void> {
    const redisOptions = this.options.redis;
    if (!redisOptions) return;
    // On a Redis Cluster the directory uses the transport's command client (its keys share one hash tag, so one
    // slot); that client is connected, watched and closed by the transport. On one Redis it has its own connection.
    const shared = redisOptions.cluster ? redisCommands(this.transport) : undefined;
    const { Redis } = await import('ioredis');
    // The store speaks only the command subset a Cluster shares with a Redis (single-slot MULTI, scripts, MGET).
    const redis = (shared as Redis | undefined) ?? new Redis(presenceConnection(redisOptions, () => this.closed));
    this.ownsConnection = shared === undefined;
    this.redis = redis;
    this.store = new PresenceStore(redis, redisOptions.keyPrefix, this.nodeId, redisOptions.leaseTtl);
    redis.on('error', (err: Error) => this.logger.warn(`presence directory: ${err.message}`));
    const onReady = () => {
      // Redis may have lost everything (a restart): write this node's whole state again, and trust no route
      // until the other nodes had the time to do the same.
      this.synced = false;
      this.trustedFrom = Date.now() + redisOptions.leaseTtl / 3 + RECONNECT_MAX_MS;
      this.routes.clear();
      void this.flush();
    };
    redis.on('ready', onReady);
    if (redis.status === 'ready') onReady();
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(PRESENCE_FLUSH_MS, () => this.flush());
    every(Math.floor(redisOptions.leaseTtl / 3), () => this.heartbeat());
    // A Redis that stops answering with its connection open (SIGSTOP, a paused VM) is noticed as the dispatch
    // transport notices it: the connection is reset and ioredis reconnects (then this node writes its state again).
    if (!this.ownsConnection) return;
    this.watchdog = new ConnectionWatchdog(Math.min(5_000, Math.max(500, redisOptions.publishTimeout)), (_client, why) =>
      this.logger.warn(`presence directory connection: ${why}; reconnecting`),
    );
    this.watchdog.start([redis]);
    // Not awaited: a node boots without Redis and writes its entries when Redis answers.
    redis.connect().catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.watchdog?.stop();
    const redis = this.redis;
    if (!redis) return;
    if (redis.status === 'ready') {
      // Leave at once instead of waiting for the lease to run out.
      const leave = async () => {
        await this.store!.dropNode(this.nodeId, false);
        await redis.multi().del(this.store!.keys.lease(this.nodeId)).srem(this.store!.keys.nodes, this.nodeId).exec();
      };
      await withPublishTimeout(leave(), this.options.redis!.publishTimeout).catch(() => undefined);
    }
    if (this.ownsConnection) redis.disconnect();
  }

  // ---- routing (PacketRouter) ----

  route(op: DispatchOp, space: string, target: PacketTarget): readonly string[] | undefined {
    if (!this.inSync || Date.now() < this.trustedFrom) return undefined;
    const kind: RouteKind | undefined = op === 'push_user' ? 'user' : op === 'groupcast' ? 'group' : undefined;
    const id = kind === 'user' ? target.uid : target.gid;
    if (kind === undefined || id === undefined) return undefined;
    const nodes = this.routes.lookup(kind, space, id);
    // A node whose lease was found gone is never sent to, even by a route cached before.
    return nodes && this.dead.size > 0 ? nodes.filter((node) => !this.dead.has(node)) : nodes;
  }

  private async loadRoute(kind: RouteKind, space: string, id: string): Promise<readonly string[]> {
    const read = async () => {
      const holders = await this.store!.holders(kind, space, id);
      holders.delete(this.nodeId);
      // Only nodes holding their lease: a dead node is not routed to even before a heartbeat reaps it.
      return [...(await this.store!.live(holders.keys()))];
    };
    return withPublishTimeout(read(), this.options.redis!.publishTimeout);
  }

  /** Another node has just taken on users or groups (or started over): routes to them may be missing it. */
  private invalidated(packet: DispatchPacket): void {
    if (packet.uids === undefined && packet.gids === undefined) this.routes.clear();
    if (packet.uids) this.routes.invalidate('user', packet.space, packet.uids);
    if (packet.gids) this.routes.invalidate('group', packet.space, packet.gids);
  }

  // ---- writing ----

  /** Writes what changed since the last flush (or, after a reconnect or a lapse, everything). One at a time. */
  private async flush(): Promise<void> {
    if (this.writing || this.closed || this.redis?.status !== 'ready') return;
    this.writing = true;
    const timeout = this.options.redis!.publishTimeout;
    try {
      const state = readNodeState(this.registry, this.spaces);
      if (!this.synced) {
        await withPublishTimeout(this.store!.restart(this.epoch, diffNodeState(new Map(), state)), timeout);
        this.written = state;
        this.synced = true;
        await this.announce(undefined);
        return;
      }
      const changes = diffNodeState(this.written, state);
      if (changes.length === 0) return;
      await withPublishTimeout(this.store!.write(changes), timeout);
      this.written = state;
      await this.announce(changes);
    } catch (err) {
      // Whether the write landed is unknown: start over once Redis answers.
      this.synced = false;
      this.logger.warn(`presence directory write failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.writing = false;
    }
  }

  /** Tells the other nodes which of their routes this node's new users and groups made stale (all, without `changes`). */
  private async announce(changes: SpaceChanges[] | undefined): Promise<void> {
    if (changes === undefined) {
      await this.cluster.publish('presence', DEFAULT_SPACE, {}, undefined, undefined);
      return;
    }
    for (const change of changes) {
      if (change.addedUsers.length === 0 && change.addedGroups.length === 0) continue;
      if (change.addedUsers.length + change.addedGroups.length > MAX_INVALIDATED) {
        await this.cluster.publish('presence', change.space, {}, undefined, undefined);
        continue;
      }
      const target: PacketTarget = {};
      if (change.addedUsers.length > 0) target.uids = change.addedUsers;
      if (change.addedGroups.length > 0) target.gids = change.addedGroups;
      await this.cluster.publish('presence', change.space, target, undefined, undefined);
    }
  }

  /** Renews the lease (starting over when it had lapsed) and reaps the nodes whose lease is gone. */
  private async heartbeat(): Promise<void> {
    if (this.closed || this.redis?.status !== 'ready') return;
    const timeout = this.options.redis!.publishTimeout;
    try {
      const before = await withPublishTimeout(this.store!.renewLease(this.epoch), timeout);
      if (before !== this.epoch && this.synced) {
        this.synced = false;
        this.logger.warn('presence lease had lapsed; writing this node\'s entries again');
      }
      const nodes = await withPublishTimeout(this.store!.nodes(), timeout);
      const dead = new Set<string>();
      for (const [node, live] of nodes) if (!live && node !== this.nodeId) dead.add(node);
      this.dead = dead;
      for (const node of dead) await withPublishTimeout(this.store!.dropNode(node, true), timeout);
    } catch (err) {
      this.logger.warn(`presence heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ---- queries ----

  /** Whether a user has a session on any node, in one space or in any. */
  async online(uid: string, space?: string): Promise<boolean> {
    const spaces = this.spacesOf(space);
    if (spaces.some((name) => this.registry.find(name)!.users.has(uid))) return true;
    return (await this.userNodes(uid, space)).length > 0;
  }

  /** The nodes holding a session of a user, in one space or in any (sorted). */
  async userNodes(uid: string, space?: string): Promise<string[]> {
    const spaces = this.spacesOf(space);
    const local = spaces.some((name) => this.registry.find(name)!.users.has(uid));
    const remote = await this.ask(async (store) => {
      const found = new Set<string>();
      for (const name of spaces) for (const node of (await store.holders('user', name, uid)).keys()) if (node !== this.nodeId) found.add(node);
      return [...(await store.live(found))];
    }, []);
    return [...(local ? [this.nodeId] : []), ...remote].sort();
  }

  /** The groups of a space across the cluster, each with its member count. */
  async rooms(space: string = DEFAULT_SPACE): Promise<Record<string, number>> {
    const index = this.spaceIndex(space);
    const rooms: Record<string, number> = {};
    for (const [gid, members] of index.groups) rooms[gid] = members.size;
    const remote = await this.ask(async (store) => store.nodeHashes(await this.otherLiveNodes(store), (node) => store.keys.nodeGroups(node, space)), []);
    for (const groups of remote) for (const [gid, count] of groups) rooms[gid] = (rooms[gid] ?? 0) + count;
    return rooms;
  }

  /** How many members a group has across the cluster. */
  async roomCount(gid: string, space: string = DEFAULT_SPACE): Promise<number> {
    const local = this.spaceIndex(space).groups.get(gid)?.size ?? 0;
    const remote = await this.ask(async (store) => {
      const holders = await store.holders('group', space, gid);
      holders.delete(this.nodeId);
      const live = await store.live(holders.keys());
      let sum = 0;
      for (const [node, count] of holders) if (live.has(node)) sum += count;
      return sum;
    }, 0);
    return local + remote;
  }

  /** Sessions (anonymous ones included) and distinct users across the cluster, in one space or in all. */
  async count(space?: string): Promise<WsPresenceCount> {
    const spaces = this.spacesOf(space);
    let sessions = 0;
    const users = new Set<string>();
    for (const name of spaces) {
      const index = this.registry.find(name)!;
      sessions += index.sessions.size;
      for (const uid of index.users.keys()) users.add(uid);
    }
    const remote = await this.ask(async (store) => {
      const nodes = await this.otherLiveNodes(store);
      const perNode = await store.nodeHashes(nodes, (node) => store.keys.node(node));
      const userHashes = await Promise.all(spaces.map((name) => store.nodeHashes(nodes, (node) => store.keys.nodeUsers(node, name))));
      return { perNode, userHashes };
    }, undefined);
    if (remote) {
      const fields = new Set(spaces.map(encodeSpace));
      for (const hash of remote.perNode) for (const [field, count] of hash) if (fields.has(field)) sessions += count;
      for (const hashes of remote.userHashes) for (const hash of hashes) for (const uid of hash.keys()) users.add(uid);
    }
    return { sessions, users: users.size };
  }

  private async otherLiveNodes(store: PresenceStore): Promise<string[]> {
    const nodes = await store.nodes();
    return [...nodes].filter(([node, live]) => live && node !== this.nodeId).map(([node]) => node);
  }

  /** Runs a read against Redis within the timeout; without Redis, or when it fails, `fallback` (and `degraded`). */
  private async ask<T>(read: (store: PresenceStore) => Promise<T>, fallback: T): Promise<T> {
    if (!this.store) return fallback;
    if (this.redis?.status !== 'ready') {
      this.degraded = true;
      return fallback;
    }
    try {
      const result = await withPublishTimeout(read(this.store), this.options.redis!.publishTimeout);
      this.degraded = false;
      return result;
    } catch (err) {
      this.degraded = true;
      this.logger.warn(`presence query answered from this node alone: ${err instanceof Error ? err.message : String(err)}`);
      return fallback;
    }
  }

  private spacesOf(space: string | undefined): string[] {
    if (space === undefined) return this.spaces;
    this.spaceIndex(space);
    return [space];
  }

  private spaceIndex(space: string) {
    const index = this.registry.find(space);
    if (!index) throw new Error(`unknown space "${space}"; configured: ${this.spaces.join(', ')}`);
    return index;
  }
}
