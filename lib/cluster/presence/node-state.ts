import type { SessionRegistry } from '../../session/session.registry.js';

/** What one node holds in one space: its open sessions, and its users and groups with their session counts. */
export interface SpaceState {
  sessions: number;
  users: Map<string, number>;
  groups: Map<string, number>;
}

/** What one node holds, per space. */
export type NodeState = Map<string, SpaceState>;

export const emptySpace = (): SpaceState => ({ sessions: 0, users: new Map(), groups: new Map() });

/** This node's state, read off the session indexes: one entry per user and group, nothing per session. */
export function readNodeState(registry: SessionRegistry, spaces: readonly string[]): NodeState {
  const state: NodeState = new Map();
  for (const space of spaces) {
    const index = registry.find(space);
    if (!index) continue;
    const users = new Map<string, number>();
    for (const [uid, set] of index.users) users.set(uid, set.size);
    const groups = new Map<string, number>();
    for (const [gid, set] of index.groups) groups.set(gid, set.size);
    state.set(space, { sessions: index.sessions.size, users, groups });
  }
  return state;
}

/** The changes of one space between two states: counts to set, 0 meaning "gone". */
export interface SpaceChanges {
  space: string;
  sessions: number | undefined;
  users: Array<[string, number]>;
  groups: Array<[string, number]>;
  /** Users and groups this node holds now and did not before: other nodes' routes to them are stale. */
  addedUsers: string[];
  addedGroups: string[];
}

/** What changed from `before` to `after`; spaces without changes are left out. */
export function diffNodeState(before: NodeState, after: NodeState): SpaceChanges[] {
  const changes: SpaceChanges[] = [];
  for (const [space, now] of after) {
    const was = before.get(space) ?? emptySpace();
    const change: SpaceChanges = { space, sessions: undefined, users: [], groups: [], addedUsers: [], addedGroups: [] };
    if (now.sessions !== was.sessions || !before.has(space)) change.sessions = now.sessions;
    diffCounts(was.users, now.users, change.users, change.addedUsers);
    diffCounts(was.groups, now.groups, change.groups, change.addedGroups);
    if (change.sessions !== undefined || change.users.length > 0 || change.groups.length > 0) changes.push(change);
  }
  return changes;
}

function diffCounts(was: Map<string, number>, now: Map<string, number>, out: Array<[string, number]>, added: string[]): void {
  for (const [id, count] of now) {
    const old = was.get(id);
    if (old === count) continue;
    out.push([id, count]);
    if (old === undefined) added.push(id);
  }
  for (const id of was.keys()) if (!now.has(id)) out.push([id, 0]);
}
