/** The operations one node asks the others to perform. */
export type DispatchOp = 'push' | 'push_user' | 'broadcast' | 'groupcast';

/**
 * `_ws.dispatch`: what a node publishes for sends that reach beyond it. `seq` counts per origin and channel, so a
 * receiver can tell when Redis lost packets on the way (a slow subscriber cut off, a reconnect).
 */
export interface DispatchPacket {
  op: DispatchOp;
  space: string;
  msg: string;
  data?: unknown;
  /** The origin node. */
  node: string;
  seq: number;
  sid?: string;
  uid?: string;
  gid?: string;
}

export const DISPATCH_PATTERN = '_ws.dispatch';

/** The space of a push sent without one: the owning node finds the session in whatever space it is. */
export const ANY_SPACE = '*';

const TARGET_OF: Record<DispatchOp, 'sid' | 'uid' | 'gid' | undefined> = {
  push: 'sid',
  push_user: 'uid',
  broadcast: undefined,
  groupcast: 'gid',
};
const KNOWN_KEYS = new Set(['op', 'space', 'msg', 'data', 'node', 'seq', 'sid', 'uid', 'gid']);
const MAX_NAME = 256;

/**
 * Checks a packet received from Redis, strictly: anyone who can publish to the Redis can forge one. Returns the
 * reason it is refused, or `undefined` when it is sound.
 */
export function packetDefect(value: unknown, spaces: ReadonlySet<string>): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) if (!KNOWN_KEYS.has(key)) return `unknown field "${key}"`;
  if (typeof p.op !== 'string' || !(p.op in TARGET_OF)) return `unknown op ${JSON.stringify(p.op)}`;
  const anySpace = p.op === 'push' && p.space === ANY_SPACE;
  if (typeof p.space !== 'string' || (!spaces.has(p.space) && !anySpace)) return `unknown space ${JSON.stringify(p.space)}`;
  if (!nonEmpty(p.msg, MAX_NAME)) return 'msg must be a non-empty string';
  if (!nonEmpty(p.node, 64)) return 'node must be a non-empty string';
  if (typeof p.seq !== 'number' || !Number.isSafeInteger(p.seq) || p.seq < 0) return 'seq must be a non-negative integer';
  const target = TARGET_OF[p.op as DispatchOp];
  for (const key of ['sid', 'uid', 'gid'] as const) {
    if (key === target) {
      if (!nonEmpty(p[key], 512)) return `${p.op} needs a non-empty "${key}"`;
    } else if (p[key] !== undefined) {
      return `${p.op} takes no "${key}"`;
    }
  }
  return undefined;
}

function nonEmpty(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}
