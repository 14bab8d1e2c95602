/** The operations one node asks the others to perform. */
export type DispatchOp = 'push' | 'push_user' | 'broadcast' | 'groupcast' | 'push_many' | 'push_users' | 'presence';

/**
 * `_ws.dispatch`: what a node publishes for sends that reach beyond it. `seq` counts per origin and channel, so a
 * receiver can tell when Redis lost packets on the way (a slow subscriber cut off, a reconnect).
 */
export interface DispatchPacket {
  op: DispatchOp;
  space: string;
  /** The message name; absent from a raw packet. */
  msg?: string;
  data?: unknown;
  /** The origin node. */
  node: string;
  seq: number;
  sid?: string;
  uid?: string;
  gid?: string;
  /** push_many: the sessions of the receiving node to reach (a node gets only its own). */
  sids?: string[];
  /** push_users: the users whose sessions to reach. */
  uids?: string[];
  /** Sessions a broadcast, groupcast, push_user or push_users skips. */
  except?: string[];
  /**
   * A raw frame (`pushRaw`, `broadcastRaw`, `groupcastRaw`): `data` is its text (`'text'`) or its bytes in base64
   * (`'base64'`, a binary frame), and there is no `msg`. Only push, broadcast and groupcast carry one.
   */
  raw?: 'text' | 'base64';
  /**
   * An interest-routed push_user or groupcast: the one node it was published to, on that node's channel (its
   * sequence numbers then count per node, as a push's do). Another node drops it.
   */
  to?: string;
  /** presence: groups a node has just taken on (with `uids`, its new users); neither means "all, in every space". */
  gids?: string[];
}

/** A packet as it sits in a batch: the batch carries the origin and the sequence numbers. */
export type BatchedPacket = Omit<DispatchPacket, 'node' | 'seq'>;

/**
 * Several packets of one origin, published on one channel in one event-loop turn, as one Redis message: decoded
 * once, delivered in order. `seq` is the first packet's sequence number and the packets take consecutive ones
 * (packet i is `seq + i`), so a receiver counts gaps exactly as if they had come one by one. A lone packet never
 * travels as a batch: it keeps the shape of `DispatchPacket`.
 */
export interface DispatchBatch {
  op: 'batch';
  node: string;
  seq: number;
  packets: BatchedPacket[];
}

export const BATCH_OP = 'batch';

/**
 * Most packets one batch holds. It already divides the per-message costs (a PUBLISH, a signature, a parse, a
 * callback) by hundreds, and it bounds the work one received message runs in one go, so a node reading a burst
 * still gets to its other sockets between batches.
 */
export const MAX_BATCH_PACKETS = 256;

/** Ops sent to the owning node's channel, not the shared one (their sequence numbers count per node). */
export const NODE_CHANNEL_OPS: ReadonlySet<DispatchOp> = new Set<DispatchOp>(['push', 'push_many']);

/** Most session ids or user ids one packet may carry in a list. */
export const MAX_PACKET_TARGETS = 100_000;

export const DISPATCH_PATTERN = '_ws.dispatch';

/** The space of a push sent without one: the owning node finds the session in whatever space it is. */
export const ANY_SPACE = '*';

const TARGET_OF: Record<DispatchOp, 'sid' | 'uid' | 'gid' | 'sids' | 'uids' | undefined> = {
  push: 'sid',
  push_user: 'uid',
  broadcast: undefined,
  groupcast: 'gid',
  push_many: 'sids',
  push_users: 'uids',
  presence: undefined,
};
/** Ops that may carry `except`: the ones whose targets the sender cannot list itself. */
const TAKES_EXCEPT: ReadonlySet<string> = new Set(['broadcast', 'groupcast', 'push_user', 'push_users']);
const KNOWN_KEYS = new Set(['op', 'space', 'msg', 'data', 'node', 'seq', 'sid', 'uid', 'gid', 'sids', 'uids', 'except']);
KNOWN_KEYS.add('raw');
KNOWN_KEYS.add('to');
KNOWN_KEYS.add('gids');
/** Ops that may be routed to the nodes holding their target (`to`). */
export const ROUTED_OPS: ReadonlySet<DispatchOp> = new Set<DispatchOp>(['push_user', 'groupcast']);
const BATCH_KEYS: ReadonlySet<string> = new Set(['op', 'node', 'seq', 'packets']);
const PRESENCE_KEYS = new Set(['op', 'space', 'node', 'seq', 'uids', 'gids']);
/** Ops a raw frame may travel with. */
const RAW_OPS: ReadonlySet<string> = new Set(['push', 'broadcast', 'groupcast']);
/** Canonical base64: what `Buffer#toString('base64')` writes, nothing Node would silently skip while decoding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_NAME = 256;

/**
 * Checks a message received from Redis, a packet or a batch of them, strictly: anyone who can publish to the
 * Redis can forge one. Returns the reason it is refused, or `undefined` when it is sound.
 */
export function packetDefect(value: unknown, spaces: ReadonlySet<string>): string | undefined {
  const packets = readPackets(value, spaces);
  return typeof packets === 'string' ? packets : undefined;
}

/**
 * The packets a message from Redis carries, in order (one, or a batch's, each given the batch's origin and its
 * own sequence number), or the reason the message is refused. One bad packet refuses the whole batch: it was
 * forged, and nothing of it is delivered.
 */
export function readPackets(value: unknown, spaces: ReadonlySet<string>): DispatchPacket[] | string {
  if (!isRecord(value)) return 'not an object';
  if (value.op !== BATCH_OP) return singleDefect(value, spaces) ?? [value as unknown as DispatchPacket];
  for (const key of Object.keys(value)) if (!BATCH_KEYS.has(key)) return `batch takes no "${key}"`;
  const { node, seq, packets } = value;
  if (!nonEmpty(node, 64)) return 'node must be a non-empty string';
  if (!Array.isArray(packets) || packets.length === 0 || packets.length > MAX_BATCH_PACKETS) return `a batch holds 1-${MAX_BATCH_PACKETS} packets`;
  // The whole range must be sequence numbers, not only its first (compared so that the sum never rounds).
  if (!isSeq(seq) || seq > Number.MAX_SAFE_INTEGER - (packets.length - 1)) return 'seq must be a non-negative integer';
  const read: DispatchPacket[] = new Array(packets.length);
  for (let i = 0; i < packets.length; i++) {
    const item: unknown = packets[i];
    if (!isRecord(item)) return `batch packet ${i}: not an object`;
    // The batch says who sent it and in what order; a packet inside that names its own would contradict it.
    if (Object.hasOwn(item, 'node') || Object.hasOwn(item, 'seq')) return `batch packet ${i}: takes no "node" or "seq" of its own`;
    // A copy: spreading a parsed `__proto__` key makes it an own field (refused below), never the prototype.
    const packet: Record<string, unknown> = { ...item, node, seq: seq + i };
    // The single-packet check: "batch" is no op there, so batches do not nest.
    const defect = singleDefect(packet, spaces);
    if (defect) return `batch packet ${i}: ${defect}`;
    read[i] = packet as unknown as DispatchPacket;
  }
  return read;
}

/** One packet, on its own or out of a batch. */
function singleDefect(p: Record<string, unknown>, spaces: ReadonlySet<string>): string | undefined {
  for (const key of Object.keys(p)) if (!KNOWN_KEYS.has(key)) return `unknown field "${key}"`;
  if (typeof p.op !== 'string' || !Object.hasOwn(TARGET_OF, p.op)) return `unknown op ${JSON.stringify(p.op)}`;
  const anySpace = (p.op === 'push' || p.op === 'push_many') && p.space === ANY_SPACE;
  if (typeof p.space !== 'string' || (!spaces.has(p.space) && !anySpace)) return `unknown space ${JSON.stringify(p.space)}`;
  if (p.op === 'presence') return presenceDefect(p);
  if (p.to !== undefined && (!ROUTED_OPS.has(p.op as DispatchOp) || !nonEmpty(p.to, 64))) return `${p.op} takes no "to" (or it is not a node id)`;
  if (p.gids !== undefined) return `${p.op} takes no "gids"`;
  if (p.raw !== undefined) {
    const defect = rawDefect(p);
    if (defect) return defect;
  } else if (!nonEmpty(p.msg, MAX_NAME)) return 'msg must be a non-empty string';
  if (!nonEmpty(p.node, 64)) return 'node must be a non-empty string';
  if (!isSeq(p.seq)) return 'seq must be a non-negative integer';
  const target = TARGET_OF[p.op as DispatchOp];
  for (const key of ['sid', 'uid', 'gid'] as const) {
    if (key === target) {
      if (!nonEmpty(p[key], 512)) return `${p.op} needs a non-empty "${key}"`;
    } else if (p[key] !== undefined) {
      return `${p.op} takes no "${key}"`;
    }
  }
  for (const key of ['sids', 'uids'] as const) {
    if (key === target) {
      if (!idList(p[key], false)) return `${p.op} needs "${key}": 1-${MAX_PACKET_TARGETS} non-empty strings`;
    } else if (p[key] !== undefined) {
      return `${p.op} takes no "${key}"`;
    }
  }
  if (p.except !== undefined) {
    if (!TAKES_EXCEPT.has(p.op as string)) return `${p.op} takes no "except"`;
    if (!idList(p.except, true)) return `"except" must be up to ${MAX_PACKET_TARGETS} non-empty strings`;
  }
  return undefined;
}

/** A presence packet: only ids to invalidate, no message. */
function presenceDefect(p: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(p)) if (!PRESENCE_KEYS.has(key)) return `presence takes no "${key}"`;
  if (!nonEmpty(p.node, 64)) return 'node must be a non-empty string';
  if (!isSeq(p.seq)) return 'seq must be a non-negative integer';
  for (const key of ['uids', 'gids'] as const) {
    if (p[key] !== undefined && !idList(p[key], false)) return `presence "${key}" must be 1-${MAX_PACKET_TARGETS} non-empty strings`;
  }
  return undefined;
}

/** A raw packet: a known kind, on an op that sends raw frames, its frame as a string, and no message name. */
function rawDefect(p: Record<string, unknown>): string | undefined {
  if (p.raw !== 'text' && p.raw !== 'base64') return `raw must be "text" or "base64", not ${JSON.stringify(p.raw)}`;
  if (!RAW_OPS.has(p.op as string)) return `${p.op} carries no raw frame`;
  if (p.msg !== undefined) return 'a raw packet takes no "msg"';
  if (typeof p.data !== 'string') return 'a raw packet needs its frame as a string in "data"';
  if (p.raw === 'base64' && !BASE64.test(p.data)) return '"data" of a base64 raw packet is not base64';
  return undefined;
}

/** A list of ids: an array of non-empty strings of at most 512 characters, bounded in length. */
function idList(value: unknown, mayBeEmpty: boolean): value is string[] {
  if (!Array.isArray(value) || value.length > MAX_PACKET_TARGETS || (!mayBeEmpty && value.length === 0)) return false;
  for (const item of value) if (!nonEmpty(item, 512)) return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function nonEmpty(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}
