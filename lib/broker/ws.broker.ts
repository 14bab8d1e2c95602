import { Inject, Injectable, Logger } from '@nestjs/common';
import { WsIdentityError } from '../errors/ws-identity.error.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsSetting } from '../interfaces/ws-message-options.interface.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import type { WsCodec } from '../protocol/codec.interface.js';
import { SpaceCodecs } from '../protocol/space-codecs.js';
import { WsRegistry } from '../registry/ws.registry.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { SpaceIndex } from '../session/space-index.js';
import type { WsSession } from '../session/ws-session.js';
import { WsGroupLimitError } from '../errors/ws-group-limit.error.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ClusterDispatcher, type PacketTarget } from '../cluster/cluster-dispatcher.js';
import type { WsMetricsReport, WsProtocolExport } from '../introspection/export.interface.js';
import { WsIntrospection } from '../introspection/export.service.js';
import { ANY_SPACE, type DispatchOp, type DispatchPacket, MAX_PACKET_TARGETS } from '../cluster/dispatch-packet.js';
import { idChunks } from './id-chunks.js';
import { nodeOfSessionId } from '../session/session-id.js';
import { DeliveryResult, emptyDelivery } from './delivery.js';
import type { IncomingMessage } from 'node:http';
import type { WsAcceptOptions } from '../interfaces/ws-accept-options.interface.js';
import { WsAcceptError } from '../errors/ws-accept.error.js';
import { BurstLogger } from '../cluster/burst-logger.js';
import { exceptSet, FanOut, type Outgoing } from './fan-out.js';
import { type RawPacketFields, rawFromPacket, rawOutgoing, rawPacketFields, type WsRawData } from './raw-frame.js';

/** Adds what a cross-node publish did: how many nodes it reached, or why it failed. */
function withRemote(delivery: DeliveryResult, remote: number | Error): DeliveryResult {
  if (remote instanceof Error) delivery.firstError ??= remote;
  else delivery.nodes += remote;
  return delivery;
}

/** Adds the publishes of one message split over several packets to the same receivers: they reached the most any did. */
function withRemoteChunks(delivery: DeliveryResult, results: Array<number | Error>): DeliveryResult {
  let reached = 0;
  for (const result of results) {
    if (result instanceof Error) delivery.firstError ??= result;
    else reached = Math.max(reached, result);
  }
  delivery.nodes += reached;
  return delivery;
}

/** Sessions of one user list, each user's sessions in turn (a session has one user: nobody comes twice). */
function* usersSessions(index: SpaceIndex, uids: Iterable<string>): Iterable<WsSession> {
  for (const uid of uids) yield* index.users.get(uid) ?? [];
}

/**
 * Sends to sessions and manages their users and groups; injectable anywhere. Targets default to the default
 * space; `options.space` names another. A push by session id finds the session in whatever space it is.
 * @publicApi
 */
@Injectable()
export class WsBroker {
  private readonly logger = new Logger('WsBroker');
  /** @internal The module's codec, that of the default envelope. */
  readonly codec: WsCodec;
  /** @internal The codec of each space: the module's, or a dialect of it (`envelope`). */
  readonly codecs: SpaceCodecs;
  private readonly fanOut: FanOut;
  private readonly maxGroups: number;
  /** JSON bytes of ids one packet carries at most: half of what a receiver accepts leaves room for the data. */
  private readonly packetIdBytes: number;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessionRegistry: SessionRegistry,
    private readonly registry: WsRegistry,
    counters: WsMetrics,
    validator: ArgsValidator,
    private readonly cluster: ClusterDispatcher,
    private readonly introspection: WsIntrospection,
  ) {
    cluster.onReceive((packet) => this.deliverFromCluster(packet));
    this.codecs = new SpaceCodecs(options);
    this.codec = this.codecs.base;
    this.maxGroups = options.maxGroups;
    this.packetIdBytes = Math.floor(options.maxMessageSize / 2);
    this.fanOut = new FanOut(this, registry, counters, validator, this.codecs, options.queuePolicy, options.validateOutbound,
      // A send hook runs per recipient and frame, and a frame may come from another node: one line per burst.
      new BurstLogger(this.logger));
  }

  /** The protocol export: every message and command per space, with schemas and examples (as `GET /ws/export`). */
  export(): WsProtocolExport {
    return this.introspection.export();
  }

  /** This node's counters, totals and per space (as `GET /ws/metrics`). */
  metrics(): WsMetricsReport {
    return this.introspection.metrics();
  }

  /** @internal The upgrade host's `adopt`: it depends on the broker (through the lifecycle), so it hands itself in. */
  acceptor: ((ws: object, request: IncomingMessage, options: WsAcceptOptions) => WsSession) | undefined;

  /**
   * Adopts a socket the app upgraded itself (its own route, `WebSocketServer({ noServer: true })` and auth) as a
   * session of `options.space`, with the queues, hooks, heartbeat, metrics and limits of any other. `ws` is an open
   * `ws` WebSocket (typed loosely so apps need no `@types/ws`), `request` its upgrade request. Throws a
   * `WsAcceptError` (unknown space, shutting down, connection limit, socket not open) and leaves the socket alone.
   */
  accept(ws: object, request: IncomingMessage, options: WsAcceptOptions): WsSession {
    if (!this.acceptor) throw new WsAcceptError('closed', 'WsModule has no upgrade host running');
    return this.acceptor(ws, request, options);
  }

  /** This node's id, the prefix of its session ids. */
  get nodeId(): string {
    return this.sessionRegistry.ids.nodeId;
  }

  /** @internal The `setting` of a message (inbound) or a command (outbound) as `space` resolves `name`, for `ctx.setting`. */
  settingOf(space: string, name: string, kind: 'message' | 'command'): WsSetting | undefined {
    const table = this.registry.table(space);
    return (kind === 'message' ? table.messages.get(name) : table.commands.get(name))?.options.setting;
  }

  // The sends are async so that anything thrown while encoding (a circular or BigInt payload) becomes a
  // rejected promise for the caller, never a throw out of an event listener.

  /**
   * Sends to one session. A session of another node (its id names the node) is reached through that node's
   * channel only, when Redis is configured; a session nobody holds is a successful no-op. Under `block`, a full
   * queue holds the promise until there is room (at most `writeTimeout`).
   */
  async push(sid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.pushOne(sid, options, () => ({ name, data, options }));
  }

  /**
   * Sends bytes as they are to one session, whatever its space's envelope: a string as a text frame, a Buffer (or
   * Uint8Array) as a binary frame. Through the same queue, lanes, send hooks and metrics as `push`, and to other
   * nodes the same way; `code` and `text` do not apply.
   */
  async pushRaw(sid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.pushOne(sid, options, () => rawOutgoing(data, options));
  }

  /** Sends bytes as they are to every session of a space, on every node (see `pushRaw`). */
  async broadcastRaw(data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.send('broadcast', {}, options, (index) => index.sessions.values(), '', data, true);
  }

  /** Sends bytes as they are to every member of a group, on every node (see `pushRaw`). */
  async groupcastRaw(gid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.send('groupcast', { gid }, options, (index) => index.groups.get(gid), '', data, true);
  }

  /** @internal Sends what a `@WsRaw()` handler returned back to its session. */
  async replyRaw(session: WsSession, data: WsRawData): Promise<Delivery> {
    return this.fanOut.deliver([session], session.space, rawOutgoing(data, undefined), 'wait');
  }

  /** `push` and `pushRaw`: the session here, on its own node, or nowhere. */
  private async pushOne(sid: string, options: WsSendOptions | undefined, outgoing: () => Outgoing): Promise<Delivery> {
    // A space that is not configured is a mistake, as for the other sends, not "nobody there".
    if (options?.space !== undefined) this.index(options.space);
    const out = outgoing(); // a raw send of something that is not bytes is refused before anything else
    if (this.except(options)?.has(sid)) return emptyDelivery();
    const session = this.sessionRegistry.get(sid);
    if (session) {
      if (options?.space !== undefined && options.space !== session.space) return emptyDelivery();
      return this.fanOut.deliver([session], session.space, out, 'wait');
    }
    const node = nodeOfSessionId(sid);
    if (!this.cluster.enabled || node === undefined || node === this.nodeId) return emptyDelivery();
    // Without a space the owning node finds the session wherever it is, as a local push does; with one, only there.
    const space = options?.space ?? ANY_SPACE;
    if (!out.raw) return withRemote(emptyDelivery(), await this.cluster.publish('push', space, { sid }, out.name, out.data, node));
    const { raw, data } = rawPacketFields(out);
    return withRemote(emptyDelivery(), await this.cluster.publish('push', space, { sid, raw }, undefined, data, node));
  }

  /**
   * Sends one message to many sessions by id, encoded once, as one delivery. Like `push`, each session is found
   * in whatever space it is unless `space` is named; sessions of other nodes get one packet per node, on that
   * node's channel. Unlike `push`, it never waits on a full queue (`pending`).
   */
  async pushMany(sids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    const space = options?.space;
    if (space !== undefined) this.index(space);
    const out: Outgoing = { name, data, options, except: this.except(options) };
    const local = new Map<string, WsSession[]>();
    const remote = new Map<string, string[]>();
    for (const sid of new Set(sids)) {
      if (out.except?.has(sid)) continue;
      const session = this.sessionRegistry.get(sid);
      if (session) {
        if (space === undefined || session.space === space) pushTo(local, session.space, session);
        continue;
      }
      const node = nodeOfSessionId(sid);
      if (this.cluster.enabled && node !== undefined && node !== this.nodeId) pushTo(remote, node, sid);
    }
    const delivery = emptyDelivery();
    for (const [sessionSpace, sessions] of local) this.fanOut.deliver(sessions, sessionSpace, out, 'pending', delivery);
    const published = [...remote].map(([node, list]) =>
      Promise.all(idChunks(list, this.packetIdBytes).map((sids) => this.cluster.publish('push_many', space ?? ANY_SPACE, { sids }, name, data, node))),
    );
    for (const results of await Promise.all(published)) withRemoteChunks(delivery, results);
    return delivery;
  }

  /** Sends to every session of a user, on every node. */
  async pushUser(uid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.send('push_user', { uid }, options, (index) => index.users.get(uid), name, data);
  }

  /** Sends one message to every session of several users, on every node: encoded once, one delivery, one packet. */
  async pushUsers(uids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    const unique = [...new Set(uids)];
    if (unique.length === 0) {
      if (options?.space !== undefined) this.index(options.space);
      return emptyDelivery();
    }
    return this.send('push_users', { uids: unique }, options, (index) => usersSessions(index, unique), name, data);
  }

  /** Sends to every session of a space, on every node. */
  async broadcast(name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.send('broadcast', {}, options, (index) => index.sessions.values(), name, data);
  }

  /** Sends to every member of a group, on every node. */
  async groupcast(gid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.send('groupcast', { gid }, options, (index) => index.groups.get(gid), name, data);
  }

  /** @internal Sends to one session with the request id of the message being handled. */
  async reply(session: WsSession, name: string, data: unknown, options: WsSendOptions | undefined, id: string | number | undefined): Promise<Delivery> {
    return this.fanOut.deliver([session], session.space, { name, data, options, id }, 'wait');
  }

  /**
   * Binds a session to a user id, or unbinds it with `undefined`. False when the session is not on this node.
   * A user the authenticator established is changed only with `{ replace: true }`; otherwise a `WsIdentityError`.
   */
  bindUser(sid: string, uid: string | undefined, options?: { replace?: boolean }): boolean {
    const session = this.sessionRegistry.get(sid);
    if (!session || session.closed) return false;
    if (session.userFromUpgrade && uid !== session.user && !options?.replace) throw new WsIdentityError(sid, session.user!);
    this.sessionRegistry.find(session.space)!.bindUser(session, uid);
    return true;
  }

  /**
   * Joins one or more groups; false when the session is not on this node. Throws `WsGroupLimitError` (and joins
   * none of them) when the session would be in more than `maxGroups` groups.
   */
  join(sid: string, ...gids: string[]): boolean {
    const session = this.sessionRegistry.get(sid);
    if (!session || session.closed) return false;
    let added = 0;
    for (const gid of new Set(gids)) if (!session.groups.has(gid)) added++;
    if (session.groups.size + added > this.maxGroups) throw new WsGroupLimitError(sid, this.maxGroups);
    const index = this.sessionRegistry.find(session.space)!;
    for (const gid of gids) index.join(session, gid);
    return true;
  }

  /** Leaves one or more groups; true when the session was in any of them. */
  leave(sid: string, ...gids: string[]): boolean {
    const session = this.sessionRegistry.get(sid);
    if (!session) return false;
    const index = this.sessionRegistry.find(session.space)!;
    let left = false;
    for (const gid of gids) if (index.leave(session, gid)) left = true;
    return left;
  }

  /** Leaves every group; returns how many were left. */
  leaveAll(sid: string): number {
    const session = this.sessionRegistry.get(sid);
    if (!session) return 0;
    const index = this.sessionRegistry.find(session.space)!;
    let left = 0;
    for (const gid of [...session.groups]) if (index.leave(session, gid)) left++;
    return left;
  }

  groups(sid: string): string[] {
    return [...(this.sessionRegistry.get(sid)?.groups ?? [])];
  }

  inGroup(sid: string, gid: string): boolean {
    return this.sessionRegistry.get(sid)?.groups.has(gid) ?? false;
  }

  // Rooms are node-local in this release. They return promises so that a cluster-wide version can keep the same
  // signatures; an unknown space rejects, as a send to it does.

  /** The groups of a space on this node, each with its member count. */
  async rooms(space: string = DEFAULT_SPACE): Promise<Record<string, number>> {
    const rooms: Record<string, number> = {};
    for (const [gid, members] of this.index(space).groups) rooms[gid] = members.size;
    return rooms;
  }

  /** The session ids of a group's members on this node. */
  async members(gid: string, space: string = DEFAULT_SPACE): Promise<string[]> {
    return [...(this.index(space).groups.get(gid) ?? [])].map((session) => session.id);
  }

  /** How many members a group has on this node. */
  async roomCount(gid: string, space: string = DEFAULT_SPACE): Promise<number> {
    return this.index(space).groups.get(gid)?.size ?? 0;
  }

  /** This node's sessions, in one space or in all. Node-local by design. */
  sessions(space?: string): WsSession[] {
    if (space === undefined) return [...this.sessionRegistry.values()];
    return [...this.index(space).sessions.values()];
  }

  session(sid: string): WsSession | undefined {
    return this.sessionRegistry.get(sid);
  }

  /** A user's sessions on this node, in one space or in all. */
  sessionsByUser(uid: string, space?: string): WsSession[] {
    const spaces = space === undefined ? this.registry.spaceNames : [space];
    return spaces.flatMap((name) => [...(this.index(name).users.get(uid) ?? [])]);
  }

  /** Closes a session (default code 1000); false when it is not on this node. */
  close(sid: string, code = 1000, reason?: string): boolean {
    // Only codes a server may send: 1000, or the 3000-4999 range left to libraries and applications.
    if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new RangeError(`close code ${code} cannot be sent; use 1000 or 3000-4999`);
    }
    const session = this.sessionRegistry.get(sid);
    if (!session) return false;
    session.transport.close(code, reason);
    return true;
  }

  /** A send to many in one space: this node's sessions at once (never waiting on one), then one publish. */
  private async send(
    op: DispatchOp,
    target: PacketTarget,
    options: WsSendOptions | undefined,
    targets: (index: SpaceIndex) => Iterable<WsSession> | undefined,
    name: string,
    data: unknown,
    raw = false,
  ): Promise<Delivery> {
    const space = options?.space ?? DEFAULT_SPACE;
    const sessions = targets(this.index(space));
    const except = this.except(options);
    const out: Outgoing = raw ? rawOutgoing(data as WsRawData, options, except) : { name, data, options, except };
    // Local delivery first: it waits neither for Redis nor for a slow recipient, and a Redis outage does not stop it.
    const local = sessions ? (this.fanOut.deliver(sessions, space, out, 'pending') as DeliveryResult) : emptyDelivery();
    if (!this.cluster.enabled) return local;
    // This node's own sessions were skipped here; the others learn only about theirs.
    const remoteExcept = remoteExceptOf(except, this.nodeId);
    const withExcept = (fields: PacketTarget) => (remoteExcept?.length ? { ...fields, except: remoteExcept } : fields);
    if (raw) {
      // A raw frame crosses as its text or as base64 (packets are JSON), with no message name.
      const fields = rawPacketFields(out);
      return withRemote(local, await this.cluster.publish(op, space, withExcept({ ...target, raw: fields.raw }), undefined, fields.data));
    }
    // A list of users longer than one packet carries goes in several (each receiver then encodes once per packet).
    const packets = target.uids ? idChunks(target.uids, this.packetIdBytes).map((uids) => withExcept({ uids })) : [withExcept(target)];
    return withRemoteChunks(local, await Promise.all(packets.map((fields) => this.cluster.publish(op, space, fields, name, data))));
  }

  /** Delivers a packet another node published, to this node's sessions; never publishes again. */
  private deliverFromCluster(packet: DispatchPacket): void {
    const except = exceptSet(packet.except);
    const out: Outgoing = packet.raw
      ? rawFromPacket(packet as DispatchPacket & RawPacketFields, except)
      : { name: packet.msg!, data: packet.data, options: undefined, except };
    // What this throws (a forged packet's data refused by validateOutbound) the dispatcher logs, once per burst.
    for (const [space, targets] of this.packetTargets(packet)) this.fanOut.deliver(targets, space, out, 'pending');
  }

  /** The sessions of this node a packet addresses, by space (spaces stay isolated across nodes). */
  private packetTargets(packet: DispatchPacket): Map<string, Iterable<WsSession>> {
    const bySpace = new Map<string, Iterable<WsSession>>();
    if (packet.op === 'push' || packet.op === 'push_many') {
      const found = new Map<string, WsSession[]>();
      for (const sid of packet.op === 'push' ? [packet.sid!] : new Set(packet.sids)) {
        const session = this.sessionRegistry.get(sid);
        if (session && (packet.space === ANY_SPACE || session.space === packet.space)) pushTo(found, session.space, session);
      }
      return found;
    }
    const index = this.sessionRegistry.find(packet.space)!;
    let targets: Iterable<WsSession> | undefined;
    if (packet.op === 'push_user') targets = index.users.get(packet.uid!);
    else if (packet.op === 'push_users') targets = usersSessions(index, new Set(packet.uids));
    else if (packet.op === 'groupcast') targets = index.groups.get(packet.gid!);
    else targets = index.sessions.values();
    if (targets) bySpace.set(packet.space, targets);
    return bySpace;
  }

  /** The sessions a send skips; more than a packet may carry is a mistake, refused before anything is sent. */
  private except(options: WsSendOptions | undefined): ReadonlySet<string> | undefined {
    const except = exceptSet(options?.except);
    if (except && except.size > MAX_PACKET_TARGETS) throw new RangeError(`except names ${except.size} sessions; at most ${MAX_PACKET_TARGETS}`);
    return except;
  }

  private index(space: string): SpaceIndex {
    const index = this.sessionRegistry.find(space);
    if (!index) throw new Error(`unknown space "${space}"; configured: ${this.registry.spaceNames.join(', ')}`);
    return index;
  }
}

/** The sessions of other nodes an `except` names: a packet tells the others only about theirs. */
function remoteExceptOf(except: ReadonlySet<string> | undefined, nodeId: string): string[] | undefined {
  return except && [...except].filter((sid) => nodeOfSessionId(sid) !== nodeId);
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
