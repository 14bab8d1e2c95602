/** How far into a frame the peek reads: a throttled or undecodable frame costs at most this much to correlate. */
export const PEEK_BYTES = 4096;

const WANTED = new Set(['name', 'msg', 'id', 'seqno']);
/** A wanted key whose value is neither a string nor a number (an object, `true`, ...): present, but unusable. */
export const UNREADABLE = Symbol('unreadable');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Reads the top-level `name`, `msg`, `id` and `seqno` (or a dialect's `wanted` keys, none longer than
 * `maxKeyBytes` with its quotes) of a JSON object frame from its first `limit` bytes,
 * skipping every other value without building it. It is what lets a frame refused before parsing (rate limit,
 * byte budget) or one that does not parse (broken JSON) still be answered with its `id`: the cost is bounded by
 * `limit`, whatever the frame's size. It stops at the first syntax error or at the limit and returns what it
 * found so far; a later duplicate key wins, as with `JSON.parse`.
 */
export function peekJsonHead(
  frame: Buffer,
  limit = PEEK_BYTES,
  wanted: ReadonlySet<string> = WANTED,
  maxKeyBytes = 16,
): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  const end = Math.min(frame.length, limit);
  let i = skipSpace(frame, 0, end);
  if (frame[i] !== OPEN_BRACE) return found;
  i++;
  for (;;) {
    i = skipSpace(frame, i, end);
    if (i >= end || frame[i] !== QUOTE) return found;
    const keyEnd = skipString(frame, i, end);
    if (keyEnd < 0) return found;
    // Only short keys can be wanted ones; a key with escapes is decoded as JSON.parse would.
    const key = keyEnd - i <= maxKeyBytes ? decodeJson(frame, i, keyEnd) : undefined;
    i = skipSpace(frame, keyEnd, end);
    if (frame[i] !== COLON) return found;
    const start = skipSpace(frame, i + 1, end);
    const valueEnd = skipValue(frame, start, end);
    if (valueEnd < 0) return found;
    if (typeof key === 'string' && wanted.has(key)) {
      const value = frame[start] === QUOTE || isNumberStart(frame[start]) ? decodeJson(frame, start, valueEnd) : UNREADABLE;
      found[key] = value === undefined ? UNREADABLE : value;
    }
    i = skipSpace(frame, valueEnd, end);
    if (frame[i] === COMMA) {
      i++;
      continue;
    }
    return found;
  }
}

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i;
}

/** From an opening quote to just past its closing quote; -1 when it does not close before `end`. */
function skipString(b: Buffer, i: number, end: number): number {
  for (i++; i < end; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** Past one value (string, object, array, number or literal); -1 when it does not end before `end`. */
function skipValue(b: Buffer, i: number, end: number): number {
  if (i >= end) return -1;
  const c = b[i];
  if (c === QUOTE) return skipString(b, i, end);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (; i < end; i++) {
      const d = b[i];
      if (d === QUOTE) {
        i = skipString(b, i, end) - 1;
        if (i < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    return -1;
  }
  // A number or a literal: up to the next delimiter.
  const start = i;
  while (i < end && b[i] !== COMMA && b[i] !== CLOSE_BRACE && b[i] !== CLOSE_BRACKET && b[i] > 0x20) i++;
  return i === start || i >= end ? -1 : i;
}

function isNumberStart(c: number | undefined): boolean {
  return c !== undefined && (c === 0x2d || (c >= 0x30 && c <= 0x39));
}

function decodeJson(b: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(b.toString('utf8', start, end));
  } catch {
    return undefined;
  }
}
