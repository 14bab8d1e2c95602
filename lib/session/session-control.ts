import { Inject, Injectable } from '@nestjs/common';
import { WsGroupLimitError } from '../errors/ws-group-limit.error.js';
import { WsIdentityError } from '../errors/ws-identity.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { SessionRegistry } from './session.registry.js';
import type { SpaceIndex } from './space-index.js';
import type { WsSession } from './ws-session.js';

/**
 * The session side of `WsBroker`: binds users, joins and leaves groups, finds and closes this node's sessions. All
 * of it is node-local; what crosses nodes is a send.
 */
@Injectable()
export class SessionControl {
  private readonly maxGroups: number;
  private readonly spaceNames: string[];

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessions: SessionRegistry,
  ) {
    this.maxGroups = options.maxGroups;
    this.spaceNames = Object.keys(options.spaces);
  }

  /** This node's id, the prefix of its session ids. */
  get nodeId(): string {
    return this.sessions.ids.nodeId;
  }

  /** The index of a configured space; any other name is a mistake of the caller, refused with the names there are. */
  index(space: string): SpaceIndex {
    const index = this.sessions.find(space);
    if (!index) throw new Error(`unknown space "${space}"; configured: ${this.spaceNames.join(', ')}`);
    return index;
  }

  bindUser(sid: string, uid: string | undefined, options?: { replace?: boolean }): boolean {
    const session = this.sessions.get(sid);
    if (!session || session.closed) return false;
    if (session.userFromUpgrade && uid !== session.user && !options?.replace) throw new WsIdentityError(sid, session.user!);
    this.sessions.find(session.space)!.bindUser(session, uid);
    return true;
  }

  /** Joins all of `gids` or, past `maxGroups`, none of them. */
  join(sid: string, gids: string[]): boolean {
    const session = this.sessions.get(sid);
    if (!session || session.closed) return false;
    let added = 0;
    const joined = session.groupSet;
    for (const gid of new Set(gids)) if (!joined?.has(gid)) added++;
    if ((joined?.size ?? 0) + added > this.maxGroups) throw new WsGroupLimitError(sid, this.maxGroups);
    const index = this.sessions.find(session.space)!;
    for (const gid of gids) index.join(session, gid);
    return true;
  }

  leave(sid: string, gids: string[]): boolean {
    const session = this.sessions.get(sid);
    if (!session) return false;
    const index = this.sessions.find(session.space)!;
    let left = false;
    for (const gid of gids) if (index.leave(session, gid)) left = true;
    return left;
  }

  leaveAll(sid: string): number {
    const session = this.sessions.get(sid);
    if (!session) return 0;
    const index = this.sessions.find(session.space)!;
    let left = 0;
    for (const gid of [...(session.groupSet ?? [])]) if (index.leave(session, gid)) left++;
    return left;
  }

  groups(sid: string): string[] {
    return [...(this.sessions.get(sid)?.groupSet ?? [])];
  }

  inGroup(sid: string, gid: string): boolean {
    return this.sessions.get(sid)?.groupSet?.has(gid) ?? false;
  }

  // Rooms are node-local in this release. They return promises so that a cluster-wide version can keep the same
  // signatures; an unknown space rejects, as a send to it does.

  async rooms(space: string = DEFAULT_SPACE): Promise<Record<string, number>> {
    const rooms: Record<string, number> = {};
    for (const [gid, members] of this.index(space).groups) rooms[gid] = members.size;
    return rooms;
  }

  async members(gid: string, space: string = DEFAULT_SPACE): Promise<string[]> {
    return [...(this.index(space).groups.get(gid) ?? [])].map((session) => session.id);
  }

  async roomCount(gid: string, space: string = DEFAULT_SPACE): Promise<number> {
    return this.index(space).groups.get(gid)?.size ?? 0;
  }

  list(space?: string): WsSession[] {
    if (space === undefined) return [...this.sessions.values()];
    return [...this.index(space).sessions.values()];
  }

  get(sid: string): WsSession | undefined {
    return this.sessions.get(sid);
  }

  byUser(uid: string, space?: string): WsSession[] {
    const spaces = space === undefined ? this.spaceNames : [space];
    return spaces.flatMap((name) => [...(this.index(name).users.get(uid) ?? [])]);
  }

  close(sid: string, code = 1000, reason?: string): boolean {
    // Only codes a server may send: 1000, or the 3000-4999 range left to libraries and applications.
    if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new RangeError(`close code ${code} cannot be sent; use 1000 or 3000-4999`);
    }
    const session = this.sessions.get(sid);
    if (!session) return false;
    session.transport.close(code, reason);
    return true;
  }
}
