import type { SpaceIndex } from '../session/space-index.js';
import type { WsSession } from '../session/ws-session.js';

/** Sessions of one user list, each user's sessions in turn (a session has one user: nobody comes twice). */
export function* usersSessions(index: SpaceIndex, uids: Iterable<string>): Iterable<WsSession> {
  for (const uid of uids) yield* index.users.get(uid) ?? [];
}

/** Adds `value` to the list under `key`: sessions by space, session ids by node. */
export function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
