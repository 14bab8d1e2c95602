import { Inject, Injectable } from '@nestjs/common';
import { ClusterDispatcher, type PacketTarget } from '../cluster/cluster-dispatcher.js';
import { ANY_SPACE, type DispatchOp, MAX_PACKET_TARGETS } from '../cluster/dispatch-packet.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { SessionControl } from '../session/session-control.js';
import { nodeOfSessionId } from '../session/session-id.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { SpaceIndex } from '../session/space-index.js';
import type { WsSession } from '../session/ws-session.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { DeliveryResult, emptyDelivery } from './delivery.js';
import { exceptSet, FanOut, type Outgoing } from './fan-out.js';
import { idChunks } from './id-chunks.js';
import { pushTo, usersSessions } from './local-targets.js';
import { rawOutgoing, rawPacketFields, type WsRawData } from './raw-frame.js';

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

/** The sessions of other nodes an `except` names: a packet tells the others only about theirs. */
function remoteExceptOf(except: ReadonlySet<string> | undefined, nodeId: string): string[] | undefined {
  return except && [...except].filter((sid) => nodeOfSessionId(sid) !== nodeId);
}

/**
 * Where `WsBroker`'s sends go: this node's sessions to the fan-out at once (never waiting on Redis or on a slow
 * recipient), the sessions of other nodes in packets through the cluster dispatcher. The sends are async so that
 * anything thrown while encoding (a circular or BigInt payload) becomes a rejected promise for the caller, never a
 * throw out of an event listener.
 */
@Injectable()
export class SendRouter {
  /** JSON bytes of ids one packet carries at most: half of what a receiver accepts leaves room for the data. */
  private readonly packetIdBytes: number;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessions: SessionRegistry,
    private readonly control: SessionControl,
    private readonly cluster: ClusterDispatcher,
    private readonly fanOut: FanOut,
  ) {
    this.packetIdBytes = Math.floor(options.maxMessageSize / 2);
  }

  async push(sid: string, name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.pushOne(sid, options, () => ({ name, data, options }));
  }

  async pushRaw(sid: string, data: WsRawData, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.pushOne(sid, options, () => rawOutgoing(data, options));
  }

  async pushUser(uid: string, name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.send('push_user', { uid }, options, (index) => index.users.get(uid), name, data);
  }

  async pushUsers(uids: Iterable<string>, name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    const unique = [...new Set(uids)];
    if (unique.length === 0) {
      if (options?.space !== undefined) this.control.index(options.space);
      return emptyDelivery();
    }
    return this.send('push_users', { uids: unique }, options, (index) => usersSessions(index, unique), name, data);
  }

  async broadcast(name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.send('broadcast', {}, options, (index) => index.sessions.values(), name, data);
  }

  async groupcast(gid: string, name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.send('groupcast', { gid }, options, (index) => index.groups.get(gid), name, data);
  }

  async broadcastRaw(data: WsRawData, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.send('broadcast', {}, options, (index) => index.sessions.values(), '', data, true);
  }

  async groupcastRaw(gid: string, data: WsRawData, options: WsSendOptions | undefined): Promise<Delivery> {
    return this.send('groupcast', { gid }, options, (index) => index.groups.get(gid), '', data, true);
  }

  /**
   * Many sessions by id, encoded once, one delivery: each found in whatever space it is unless `space` is named;
   * sessions of other nodes get one packet per node, on that node's channel. Never waits on a full queue.
   */
  async pushMany(sids: Iterable<string>, name: string, data: unknown, options: WsSendOptions | undefined): Promise<Delivery> {
    const space = options?.space;
    if (space !== undefined) this.control.index(space);
    const out: Outgoing = { name, data, options, except: this.except(options) };
    const local = new Map<string, WsSession[]>();
    const remote = new Map<string, string[]>();
    for (const sid of new Set(sids)) {
      if (out.except?.has(sid)) continue;
      const session = this.sessions.get(sid);
      if (session) {
        if (space === undefined || session.space === space) pushTo(local, session.space, session);
        continue;
      }
      const node = nodeOfSessionId(sid);
      if (this.cluster.enabled && node !== undefined && node !== this.control.nodeId) pushTo(remote, node, sid);
    }
    const delivery = emptyDelivery();
    for (const [sessionSpace, sessions] of local) this.fanOut.deliver(sessions, sessionSpace, out, 'pending', delivery);
    const published = [...remote].map(([node, list]) =>
      Promise.all(idChunks(list, this.packetIdBytes).map((sids) => this.cluster.publish('push_many', space ?? ANY_SPACE, { sids }, name, data, node))),
    );
    for (const results of await Promise.all(published)) withRemoteChunks(delivery, results);
    return delivery;
  }

  /** `push` and `pushRaw`: the session here, on its own node, or nowhere. */
  private async pushOne(sid: string, options: WsSendOptions | undefined, outgoing: () => Outgoing): Promise<Delivery> {
    // A space that is not configured is a mistake, as for the other sends, not "nobody there".
    if (options?.space !== undefined) this.control.index(options.space);
    const out = outgoing(); // a raw send of something that is not bytes is refused before anything else
    if (this.except(options)?.has(sid)) return emptyDelivery();
    const session = this.sessions.get(sid);
    if (session) {
      if (options?.space !== undefined && options.space !== session.space) return emptyDelivery();
      return this.fanOut.toSession(session, out);
    }
    const node = nodeOfSessionId(sid);
    if (!this.cluster.enabled || node === undefined || node === this.control.nodeId) return emptyDelivery();
    // Without a space the owning node finds the session wherever it is, as a local push does; with one, only there.
    const space = options?.space ?? ANY_SPACE;
    if (!out.raw) return withRemote(emptyDelivery(), await this.cluster.publish('push', space, { sid }, out.name, out.data, node));
    const { raw, data } = rawPacketFields(out);
    return withRemote(emptyDelivery(), await this.cluster.publish('push', space, { sid, raw }, undefined, data, node));
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
    const sessions = targets(this.control.index(space));
    const except = this.except(options);
    const out: Outgoing = raw ? rawOutgoing(data as WsRawData, options, except) : { name, data, options, except };
    // Local delivery first: it waits neither for Redis nor for a slow recipient, and a Redis outage does not stop it.
    const local = sessions ? (this.fanOut.deliver(sessions, space, out, 'pending') as DeliveryResult) : emptyDelivery();
    if (!this.cluster.enabled) return local;
    // This node's own sessions were skipped here; the others learn only about theirs.
    const remoteExcept = remoteExceptOf(except, this.control.nodeId);
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

  /** The sessions a send skips; more than a packet may carry is a mistake, refused before anything is sent. */
  private except(options: WsSendOptions | undefined): ReadonlySet<string> | undefined {
    const except = exceptSet(options?.except);
    if (except && except.size > MAX_PACKET_TARGETS) throw new RangeError(`except names ${except.size} sessions; at most ${MAX_PACKET_TARGETS}`);
    return except;
  }
}
