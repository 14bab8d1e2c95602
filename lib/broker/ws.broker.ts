import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Delivery, WsAcceptOptions, WsSendOptions } from '../interfaces/index.js';
import type { WsMetricsReport, WsProtocolExport } from '../introspection/export.interface.js';
import { SessionControl } from '../session/session-control.js';
import type { WsSession } from '../session/ws-session.js';
import { DEFAULT_SPACE, WS_INTROSPECTION } from '../ws.constants.js';
import type { WsRawData } from './raw-frame.js';
import { SendRouter } from './send-router.js';
import { SessionAcceptor } from './session-acceptor.js';
import { PresenceDirectory, type WsPresenceCount } from '../cluster/presence/presence-directory.js';

/**
 * Sends to sessions and manages their users and groups; injectable anywhere. Targets default to the default space;
 * `options.space` names another. A façade of one-line delegations (`SendRouter`, `SessionControl`, presence). @publicApi
 */
@Injectable()
export class WsBroker {
  constructor(
    private readonly router: SendRouter,
    private readonly control: SessionControl,
    private readonly presence: PresenceDirectory,
    private readonly acceptor: SessionAcceptor,
    @Inject(WS_INTROSPECTION) private readonly introspection: { export(): WsProtocolExport; metrics(): WsMetricsReport },
  ) {}

  /** @deprecated Inject `WsIntrospection` and call its `export()`: this alias only delegates to it. */
  export(): WsProtocolExport {
    return this.introspection.export();
  }
  /** @deprecated Inject `WsIntrospection` and call its `metrics()`: this alias only delegates to it. */
  metrics(): WsMetricsReport {
    return this.introspection.metrics();
  }
  /** Adopts an open `ws` socket the app upgraded itself as a session of `options.space`, or throws a `WsAcceptError`. */
  accept(ws: object, request: IncomingMessage, options: WsAcceptOptions): WsSession {
    return this.acceptor.accept(ws, request, options);
  }
  /** This node's id, the prefix of its session ids. */
  get nodeId(): string {
    return this.control.nodeId;
  }

  /** Sends to one session, on any node (with Redis); nobody there is a no-op. `block` may wait up to `writeTimeout`. */
  push(sid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.push(sid, name, data, options);
  }
  /** Sends to many sessions by id, encoded once, one delivery; never waits on a full queue (`pending`). */
  pushMany(sids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.pushMany(sids, name, data, options);
  }
  /** Sends to every session of a user, on every node. */
  pushUser(uid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.pushUser(uid, name, data, options);
  }
  /** Sends one message to every session of several users, on every node: encoded once, one delivery, one packet. */
  pushUsers(uids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.pushUsers(uids, name, data, options);
  }
  /** Sends to every session of a space, on every node. */
  broadcast(name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.broadcast(name, data, options);
  }
  /** Sends to every member of a group, on every node. */
  groupcast(gid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.router.groupcast(gid, name, data, options);
  }
  /** Sends bytes as they are, whatever the envelope: a string as a text frame, a Buffer as a binary one; else as `push`. */
  pushRaw(sid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.router.pushRaw(sid, data, options);
  }
  /** Sends bytes as they are to every session of a space, on every node (see `pushRaw`). */
  broadcastRaw(data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.router.broadcastRaw(data, options);
  }
  /** Sends bytes as they are to every member of a group, on every node (see `pushRaw`). */
  groupcastRaw(gid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.router.groupcastRaw(gid, data, options);
  }

  /** Binds a session to a user (`undefined` unbinds); one the authenticator set only with `{ replace: true }`. */
  bindUser(sid: string, uid: string | undefined, options?: { replace?: boolean }): boolean {
    return this.control.bindUser(sid, uid, options);
  }
  /** Joins groups; false off this node. Past `maxGroups` it throws `WsGroupLimitError` and joins none. */
  join(sid: string, ...gids: string[]): boolean {
    return this.control.join(sid, gids);
  }
  /** Leaves groups; true when the session was in any of them. */
  leave(sid: string, ...gids: string[]): boolean {
    return this.control.leave(sid, gids);
  }
  /** Leaves every group; returns how many were left. */
  leaveAll(sid: string): number {
    return this.control.leaveAll(sid);
  }
  groups(sid: string): string[] {
    return this.control.groups(sid);
  }
  inGroup(sid: string, gid: string): boolean {
    return this.control.inGroup(sid, gid);
  }

  // Rooms and presence: cluster-wide with Redis, node-local without; an unknown space rejects, as a send to it does.
  // `members` stays node-local: session ids are not kept in the presence directory.
  /** The groups of a space, each with its member count, across the nodes. */
  rooms(space?: string): Promise<Record<string, number>> {
    return this.presence.rooms(space ?? DEFAULT_SPACE);
  }
  /** The session ids of a group's members on this node. */
  members(gid: string, space?: string): Promise<string[]> {
    return this.control.members(gid, space);
  }
  /** How many members a group has across the nodes. */
  roomCount(gid: string, space?: string): Promise<number> {
    return this.presence.roomCount(gid, space ?? DEFAULT_SPACE);
  }
  /** Whether a user has a session on any node, in one space or in any. */
  online(uid: string, space?: string): Promise<boolean> {
    return this.presence.online(uid, space);
  }
  /** The ids of the nodes holding a session of a user, in one space or in any. */
  userNodes(uid: string, space?: string): Promise<string[]> {
    return this.presence.userNodes(uid, space);
  }
  /** Open sessions (anonymous ones included) and distinct users across the nodes, in one space or in all. */
  count(space?: string): Promise<WsPresenceCount> {
    return this.presence.count(space);
  }
  /** True when the last cluster-wide query could not reach Redis in time and answered from this node alone. */
  get presenceDegraded(): boolean {
    return this.presence.degraded;
  }

  /** This node's sessions, in one space or in all. Node-local by design. */
  sessions(space?: string): WsSession[] {
    return this.control.list(space);
  }
  session(sid: string): WsSession | undefined {
    return this.control.get(sid);
  }
  /** A user's sessions on this node, in one space or in all. */
  sessionsByUser(uid: string, space?: string): WsSession[] {
    return this.control.byUser(uid, space);
  }
  /** Closes a session (default code 1000); false when it is not on this node. */
  close(sid: string, code = 1000, reason?: string): boolean {
    return this.control.close(sid, code, reason);
  }
}
