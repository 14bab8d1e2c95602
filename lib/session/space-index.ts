import type { WsSession } from './ws-session.js';

/**
 * The sessions of one space, with the two inverse indexes users and groups need
 * (the socket.io-adapter shape). Empty sets are deleted as they empty, so nothing grows with churn.
 */
export class SpaceIndex {
  readonly sessions = new Map<string, WsSession>();
  readonly users = new Map<string, Set<WsSession>>();
  readonly groups = new Map<string, Set<WsSession>>();

  constructor(readonly name: string) {}

  add(session: WsSession): void {
    this.sessions.set(session.id, session);
  }

  /**
   * Takes a closed session out of every index. Its `user` and `groups` stay as they were, so close hooks can
   * still read who left and from where.
   */
  remove(session: WsSession): void {
    this.sessions.delete(session.id);
    if (session.user !== undefined) this.removeFromSet(this.users, session.user, session);
    if (session.groupSet) for (const gid of session.groupSet) this.removeFromSet(this.groups, gid, session);
  }

  bindUser(session: WsSession, uid: string | undefined): void {
    this.unbindUser(session);
    session.user = uid;
    if (uid === undefined) return;
    let set = this.users.get(uid);
    if (!set) this.users.set(uid, (set = new Set()));
    set.add(session);
  }

  join(session: WsSession, gid: string): void {
    const joined = session.groups;
    if (joined.has(gid)) return;
    joined.add(gid);
    let set = this.groups.get(gid);
    if (!set) this.groups.set(gid, (set = new Set()));
    set.add(session);
  }

  leave(session: WsSession, gid: string): boolean {
    if (!session.groupSet?.delete(gid)) return false;
    this.removeFromSet(this.groups, gid, session);
    return true;
  }

  private unbindUser(session: WsSession): void {
    if (session.user !== undefined) this.removeFromSet(this.users, session.user, session);
    session.user = undefined;
  }

  private removeFromSet(map: Map<string, Set<WsSession>>, key: string, session: WsSession): void {
    const set = map.get(key);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) map.delete(key);
  }
}
