import type { EnvelopeDialect } from './envelope-dialect.js';

/** The envelope of an inbound message, after the aliases and the folding rule. */
export interface InboundEnvelope {
  name: string;
  /** The arguments: `data`, else `args`, else the folded top-level fields; `undefined` when there are none. */
  data: unknown;
  id: string | number | undefined;
}

/** What of a frame's envelope could be read: `id` and `name`, each only when it is valid. */
export interface EnvelopeHead {
  id?: string | number;
  name?: string;
  /** Why the frame's `id` (or `seqno`) is not valid, when it has one that is not. */
  idProblem?: string;
  /** Why the frame's `name` (or `msg`) is not valid, when it is not. */
  nameProblem?: string;
}

/** Why a frame is not a valid envelope; `id` and `name` are set when the frame carried valid ones. */
export class EnvelopeError {
  constructor(
    readonly reason: string,
    readonly id?: string | number,
    readonly name = '',
  ) {}
}

export const MAX_NAME_LENGTH = 256;
export const MAX_ID_LENGTH = 128;

const ID_PROBLEM = `"id" must be a string of at most ${MAX_ID_LENGTH} characters or an integer within ±${Number.MAX_SAFE_INTEGER}`;
const NAME_PROBLEM = `"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`;

// Fields that are part of the envelope, never folded into the arguments. Keys that could reach a prototype
// are dropped too: folding copies them into a fresh object.
const RESERVED = new Set(['name', 'msg', 'id', 'seqno', '__proto__', 'constructor', 'prototype']);

/**
 * Reads `id` (alias `seqno`) and `name` (alias `msg`) from a frame's top level, validating each on its own, so
 * that a frame refused for any other reason can still be answered with them.
 *
 * A numeric id must be a safe integer: `JSON.parse` has already rounded `9007199254740993` to `…992`, and echoing
 * that would answer a request the client never sent. Lengths count characters (code points), as documented.
 */
export function readHead(frame: Record<string, unknown>, dialect?: EnvelopeDialect): EnvelopeHead {
  if (dialect) return readDialectHead(frame, dialect);
  const head: EnvelopeHead = {};
  const rawId = frame.id !== undefined ? frame.id : frame.seqno;
  if (rawId !== undefined) {
    if ((typeof rawId === 'number' && Number.isSafeInteger(rawId)) || (typeof rawId === 'string' && fitsChars(rawId, MAX_ID_LENGTH))) {
      head.id = rawId;
    } else {
      head.idProblem = ID_PROBLEM;
    }
  }
  const name = frame.name !== undefined ? frame.name : frame.msg;
  if (typeof name === 'string' && name.length > 0 && fitsChars(name, MAX_NAME_LENGTH)) head.name = name;
  else head.nameProblem = NAME_PROBLEM;
  return head;
}

/**
 * Normalizes a decoded frame into an envelope, applying the design's decided edge cases:
 * `name` beats `msg`, `data` beats `args`, `id` beats `seqno`, other fields fold into the arguments.
 */
export function toEnvelope(value: unknown, dialect?: EnvelopeDialect): InboundEnvelope | EnvelopeError {
  if (!isRecord(value)) return new EnvelopeError('the message must be a JSON object');
  const frame = value;
  const head = readHead(frame, dialect);
  // A bad id is reported before a bad name: the design answers it without an id, whatever the name.
  if (head.idProblem) return new EnvelopeError(head.idProblem, undefined, head.name);
  if (head.nameProblem) return new EnvelopeError(head.nameProblem, head.id);

  let data: unknown;
  if (dialect) data = Object.hasOwn(frame, dialect.data) ? frame[dialect.data] : fold(frame, dialect.reserved);
  else if ('data' in frame) data = frame.data;
  else if ('args' in frame) data = frame.args;
  else data = fold(frame);
  return { name: head.name!, data: data === null ? undefined : data, id: head.id };
}

/**
 * `readHead` for a space with its own field names: only the dialect's name and id fields are read (no aliases: a
 * wsrv client's `msg` is not a name), and the problems name those fields.
 */
function readDialectHead(frame: Record<string, unknown>, dialect: EnvelopeDialect): EnvelopeHead {
  const head: EnvelopeHead = {};
  const rawId = Object.hasOwn(frame, dialect.id) ? frame[dialect.id] : undefined;
  if (rawId !== undefined) {
    if ((typeof rawId === 'number' && Number.isSafeInteger(rawId)) || (typeof rawId === 'string' && fitsChars(rawId, MAX_ID_LENGTH))) {
      head.id = rawId;
    } else {
      head.idProblem = ID_PROBLEM.replace('"id"', JSON.stringify(dialect.id));
    }
  }
  const name = Object.hasOwn(frame, dialect.name) ? frame[dialect.name] : undefined;
  if (typeof name === 'string' && name.length > 0 && fitsChars(name, MAX_NAME_LENGTH)) head.name = name;
  else head.nameProblem = NAME_PROBLEM.replace('"name"', JSON.stringify(dialect.name));
  return head;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when `s` has at most `max` characters, counting a surrogate pair as one. */
function fitsChars(s: string, max: number): boolean {
  if (s.length <= max) return true;
  if (s.length > 2 * max) return false;
  let chars = 0;
  for (const _ of s) if (++chars > max) return false;
  return true;
}

function fold(frame: Record<string, unknown>, reserved: ReadonlySet<string> = RESERVED): Record<string, unknown> | undefined {
  let folded: Record<string, unknown> | undefined;
  for (const key in frame) {
    if (reserved.has(key)) continue;
    (folded ??= {})[key] = frame[key];
  }
  return folded;
}
