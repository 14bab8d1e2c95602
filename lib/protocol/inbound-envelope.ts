/** The envelope of an inbound message, after the aliases and the folding rule. */
export interface InboundEnvelope {
  name: string;
  /** The arguments: `data`, else `args`, else the folded top-level fields; `undefined` when there are none. */
  data: unknown;
  id: string | number | undefined;
}

/** Why a frame is not a valid envelope; `id` is set when the frame carried a valid one. */
export class EnvelopeError {
  constructor(
    readonly reason: string,
    readonly id?: string | number,
    readonly name = '',
  ) {}
}

export const MAX_NAME_LENGTH = 256;
export const MAX_ID_LENGTH = 128;

// Fields that are part of the envelope, never folded into the arguments. Keys that could reach a prototype
// are dropped too: folding copies them into a fresh object.
const RESERVED = new Set(['name', 'msg', 'id', 'seqno', '__proto__', 'constructor', 'prototype']);

/**
 * Normalizes a decoded frame into an envelope, applying the design's decided edge cases:
 * `name` beats `msg`, `data` beats `args`, `id` beats `seqno`, other fields fold into the arguments.
 */
export function toEnvelope(value: unknown): InboundEnvelope | EnvelopeError {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return new EnvelopeError('the message must be a JSON object');
  }
  const frame = value as Record<string, unknown>;

  const rawId = frame.id !== undefined ? frame.id : frame.seqno;
  let id: string | number | undefined;
  if (rawId !== undefined) {
    if ((typeof rawId === 'number' && Number.isFinite(rawId)) || (typeof rawId === 'string' && rawId.length <= MAX_ID_LENGTH)) {
      id = rawId;
    } else {
      return new EnvelopeError(`"id" must be a number or a string of at most ${MAX_ID_LENGTH} characters`);
    }
  }

  const name = frame.name !== undefined ? frame.name : frame.msg;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    return new EnvelopeError(`"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`, id);
  }

  let data: unknown;
  if ('data' in frame) data = frame.data;
  else if ('args' in frame) data = frame.args;
  else data = fold(frame);
  return { name, data: data === null ? undefined : data, id };
}

function fold(frame: Record<string, unknown>): Record<string, unknown> | undefined {
  let folded: Record<string, unknown> | undefined;
  for (const key in frame) {
    if (RESERVED.has(key)) continue;
    (folded ??= {})[key] = frame[key];
  }
  return folded;
}
