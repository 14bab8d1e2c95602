import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { WsContext } from '../context/ws-context.js';
import { WsIdentityError } from '../errors/ws-identity.error.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsPriority, WsQueuePolicy, WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../metrics/ws-metrics.js';
import { runSendHooks } from '../pipeline/hook-runner.js';
import { describeError } from '../utils/describe-error.util.js';
import type { WsCodec } from '../protocol/codec.interface.js';
import { SpaceCodecs } from '../protocol/space-codecs.js';
import { unixSeconds } from '../protocol/outbound-envelope.js';
import { resolvePolicy } from '../queue/queue-policy.js';
import { OUTBOX_ERRORS, type WriteResult } from '../queue/session-outbox.js';
import type { HookEntry } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { SpaceIndex } from '../session/space-index.js';
import type { WsSession } from '../session/ws-session.js';
import { WsCommandDataError } from '../errors/ws-command-data.error.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ClusterDispatcher, type PacketTarget } from '../cluster/cluster-dispatcher.js';
import type { WsMetricsReport, WsProtocolExport } from '../introspection/export.interface.js';
import { WsIntrospection } from '../introspection/export.service.js';
import { ANY_SPACE, type DispatchOp, type DispatchPacket } from '../cluster/dispatch-packet.js';
import { nodeOfSessionId } from '../session/session-id.js';
import { DeliveryResult, emptyDelivery } from './delivery.js';

/** Adds what a cross-node publish did: how many nodes it reached, or why it failed. */
function withRemote(delivery: DeliveryResult, remote: number | Error): DeliveryResult {
  if (remote instanceof Error) delivery.firstError ??= remote;
  else delivery.nodes = remote;
  return delivery;
}

/** Adds one recipient's outcome to a delivery; a refused send counts as a send failure of its space. */
function count(delivery: DeliveryResult, error: Error | undefined, metrics: WsMetrics, session: WsSession): void {
  if (error === undefined) {
    delivery.success++;
    return;
  }
  delivery.failed++;
  delivery.firstError ??= error;
  metrics.count(session.space, 'sendFailures');
}

/** How a send treats a recipient whose `block` queue is full: one recipient waits for it, many never do. */
type BlockedSends = 'wait' | 'pending';

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
  private readonly defaultPolicy: WsQueuePolicy;
  private readonly validateOutbound: boolean;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessionRegistry: SessionRegistry,
    private readonly registry: WsRegistry,
    private readonly counters: WsMetrics,
    private readonly validator: ArgsValidator,
    private readonly cluster: ClusterDispatcher,
    private readonly introspection: WsIntrospection,
  ) {
    cluster.onReceive((packet) => this.deliverFromCluster(packet));
    this.codecs = new SpaceCodecs(options);
    this.codec = this.codecs.base;
    this.defaultPolicy = options.queuePolicy;
    this.validateOutbound = options.validateOutbound;
  }

  /** The protocol export: every message and command per space, with schemas and examples (as `GET /ws/export`). */
  export(): WsProtocolExport {
    return this.introspection.export();
  }

  /** This node's counters, totals and per space (as `GET /ws/metrics`). */
  metrics(): WsMetricsReport {
    return this.introspection.metrics();
  }

  /** This node's id, the prefix of its session ids. */
  get nodeId(): string {
    return this.sessionRegistry.ids.nodeId;
  }

  // The sends are async so that anything thrown while encoding (a circular or BigInt payload) becomes a
  // rejected promise for the caller, never a throw out of an event listener.

  /**
   * Sends to one session. A session of another node (its id names the node) is reached through that node's
   * channel only, when Redis is configured; a session nobody holds is a successful no-op.
   */
  async push(sid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    // A space that is not configured is a mistake, as for the other sends, not "nobody there".
    if (options?.space !== undefined) this.index(options.space);
    const session = this.sessionRegistry.get(sid);
    if (session) {
      if (options?.space !== undefined && options.space !== session.space) return emptyDelivery();
      return this.deliver([session], session.space, name, data, options, 'wait');
    }
    const node = nodeOfSessionId(sid);
    if (!this.cluster.enabled || node === undefined || node === this.nodeId) return emptyDelivery();
    // Without a space the owning node finds the session wherever it is, as a local push does; with one, only there.
    return withRemote(emptyDelivery(), await this.cluster.publish('push', options?.space ?? ANY_SPACE, { sid }, name, data, node));
  }

  /** Sends to every session of a user, on every node. */
  async pushUser(uid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.send('push_user', { uid }, options, (index) => index.users.get(uid), name, data);
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
    return this.deliver([session], session.space, name, data, options, 'wait', id);
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

  join(sid: string, gid: string): boolean {
    const session = this.sessionRegistry.get(sid);
    if (!session || session.closed) return false;
    this.sessionRegistry.find(session.space)!.join(session, gid);
    return true;
  }

  leave(sid: string, gid: string): boolean {
    const session = this.sessionRegistry.get(sid);
    return !!session && this.sessionRegistry.find(session.space)!.leave(session, gid);
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

  private async send(
    op: DispatchOp,
    target: PacketTarget,
    options: WsSendOptions | undefined,
    targets: (index: SpaceIndex) => Iterable<WsSession> | undefined,
    name: string,
    data: unknown,
  ): Promise<Delivery> {
    const space = options?.space ?? DEFAULT_SPACE;
    const sessions = targets(this.index(space));
    // Local delivery first: it waits neither for Redis nor for a slow recipient, and a Redis outage does not stop it.
    const local = sessions ? (this.deliver(sessions, space, name, data, options, 'pending') as DeliveryResult) : emptyDelivery();
    if (!this.cluster.enabled) return local;
    return withRemote(local, await this.cluster.publish(op, space, target, name, data));
  }

  /** Delivers a packet another node published, to this node's sessions; never publishes again. */
  private deliverFromCluster(packet: DispatchPacket): void {
    let targets: Iterable<WsSession> | undefined;
    let space = packet.space;
    if (packet.op === 'push') {
      const session = this.sessionRegistry.get(packet.sid!);
      if (!session || (space !== ANY_SPACE && session.space !== space)) return; // spaces stay isolated across nodes
      targets = [session];
      space = session.space;
    } else {
      const index = this.sessionRegistry.find(space)!;
      if (packet.op === 'push_user') targets = index.users.get(packet.uid!);
      else if (packet.op === 'groupcast') targets = index.groups.get(packet.gid!);
      else targets = index.sessions.values();
    }
    if (!targets) return;
    const failed = (err: unknown) => this.logger.error(`cluster delivery of "${packet.msg}" failed: ${describeError(err)}`);
    try {
      this.deliver(targets, space, packet.msg, packet.data, undefined, 'pending');
    } catch (err) {
      failed(err);
    }
  }

  /**
   * Encodes the envelope once and hands the same bytes to every target's send queue, with the lane and policy of
   * the send (its options, else its declared command, else the defaults). Send hooks run per recipient, and only
   * when the space has any, so a broadcast without hooks allocates nothing per session. A recipient whose `block`
   * queue is full is either waited for (`wait`: one session) or counted as pending (`pending`: a send to many, which
   * must not be held by one slow peer).
   */
  private deliver(
    targets: Iterable<WsSession>,
    space: string,
    name: string,
    data: unknown,
    options: WsSendOptions | undefined,
    blockedSends: BlockedSends,
    id?: string | number,
  ): DeliveryResult | Promise<DeliveryResult> {
    const table = this.registry.table(space);
    const command = table.commands.get(name)?.options;
    if (this.validateOutbound && command?.args) this.checkCommandData(name, command.args, data);
    const bytes = this.codecs.codec(space).encode({
      code: options?.code ?? 0,
      name,
      data,
      text: options?.text ?? '',
      time: unixSeconds(),
      id,
    });
    const priority: WsPriority = options?.priority ?? command?.priority ?? 'normal';
    const policy = resolvePolicy(priority, options?.queuePolicy ?? command?.queuePolicy, this.defaultPolicy);
    const hooks = table.hooks.send;
    const delivery = emptyDelivery();
    let blocked: Promise<void>[] | undefined;
    for (const session of targets) {
      delivery.hit++;
      const result = this.write(session, bytes, hooks, name, data, priority, policy);
      if (!(result instanceof Promise)) count(delivery, result, this.counters, session);
      else if (blockedSends === 'wait') (blocked ??= []).push(result.then((error) => count(delivery, error, this.counters, session)));
      else delivery.addPending(result.then((error) => this.countLate(error, session)));
    }
    return blocked ? Promise.all(blocked).then(() => delivery) : delivery;
  }

  /** A pending recipient's late failure still counts in its space's `sendFailures`. */
  private countLate(error: Error | undefined, session: WsSession): Error | undefined {
    if (error !== undefined) this.counters.count(session.space, 'sendFailures');
    return error;
  }

  private write(
    session: WsSession,
    bytes: Buffer,
    hooks: HookEntry[],
    name: string,
    data: unknown,
    priority: WsPriority,
    policy: WsQueuePolicy,
  ): WriteResult {
    if (session.closed) return OUTBOX_ERRORS.closed;
    let out: Buffer | string | undefined = bytes;
    if (hooks.length > 0) {
      const ctx = new WsContext(this, session, name, data);
      ctx.output = bytes;
      runSendHooks(hooks, ctx, this.logger, () => this.counters.count(session.space, 'handlerErrors'));
      out = ctx.output;
      if (out === undefined || out === null) return undefined; // a hook may swallow a frame on purpose
    }
    return session.outbox.write(typeof out === 'string' ? Buffer.from(out) : out, priority, policy);
  }

  private checkCommandData(name: string, cls: Type<unknown>, data: unknown): void {
    const plain = typeof data === 'object' && data !== null ? data : {};
    const errors = this.validator.validateSync(cls, plain);
    if (errors.length > 0) throw new WsCommandDataError(name, errors);
  }

  private index(space: string): SpaceIndex {
    const index = this.sessionRegistry.find(space);
    if (!index) throw new Error(`unknown space "${space}"; configured: ${this.registry.spaceNames.join(', ')}`);
    return index;
  }
}
