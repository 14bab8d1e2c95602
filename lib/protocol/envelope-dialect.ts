// One shape for both halves of the protocol: the client cannot import the server's side, so the server takes it from there.
import type { WsClientEnvelopeFields } from '../client/envelope-fields.js';

/**
 * The field names of a space's envelope, when they are not the default ones. Every key is optional: what is not
 * named keeps its default name (`name`, `id`, `code`, `text`, `data`, `time`). `time: false` leaves the time out;
 * `successText` is the `text` of a successful message (default `''`).
 * @publicApi
 */
export type WsEnvelopeFields = WsClientEnvelopeFields;

/** A space's `envelope` option: the name of a preset, or the field names. @publicApi */
export type WsEnvelopeOption = 'wsrv' | WsEnvelopeFields;

/** The dialect of go-eyas/wsrv: `{cmd, seqno, data}` in, `{cmd, seqno, status, msg, data}` out, "ok" on success. */
export const WSRV_FIELDS: Readonly<Required<WsEnvelopeFields>> = {
  name: 'cmd',
  id: 'seqno',
  code: 'status',
  text: 'msg',
  data: 'data',
  time: false,
  successText: 'ok',
};

const PRESETS: Record<string, Readonly<Required<WsEnvelopeFields>>> = { wsrv: WSRV_FIELDS };
const DEFAULT_FIELDS: Required<WsEnvelopeFields> = { name: 'name', id: 'id', code: 'code', text: 'text', data: 'data', time: 'time', successText: '' };
const FIELD_KEYS = ['name', 'id', 'code', 'text', 'data', 'time'] as const;
const FIELD_NAME = /^[A-Za-z0-9_$-]{1,32}$/;
/** Names a field may not take: keys that reach a prototype, or that every object inherits. */
const FORBIDDEN = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * A space's dialect, resolved once at bootstrap: the field names the inbound reader and the outbound encoder use,
 * plus what they precompute from them.
 */
export interface EnvelopeDialect {
  /** As configured, for the export: `'wsrv'` or the complete mapping. */
  readonly setting: 'wsrv' | Required<WsEnvelopeFields>;
  readonly name: string;
  readonly id: string;
  readonly code: string;
  readonly text: string;
  readonly data: string;
  /** Undefined when the dialect has no time field. */
  readonly time: string | undefined;
  readonly successText: string;
  /** Fields never folded into the arguments. */
  readonly reserved: ReadonlySet<string>;
  /** The keys a peek at an unparsed frame looks for, and the longest of them in bytes, quotes included. */
  readonly peekKeys: ReadonlySet<string>;
  readonly peekKeyBytes: number;
}

/**
 * Checks a space's `envelope` option; returns the problem, or undefined when it is sound. Field names are short
 * identifiers, distinct from one another, and never a name every object inherits (`constructor`, `__proto__`).
 */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return value in PRESETS ? undefined : `must be ${presetList()} or { name, id, code, text, data, time, successText }`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `must be ${presetList()} or { name, id, code, text, data, time, successText }`;
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key === 'successText') {
      if (typeof fields[key] !== 'string') return 'successText must be a string';
    } else if (!(FIELD_KEYS as readonly string[]).includes(key)) {
      return `"${key}" is not an envelope field (name, id, code, text, data, time, successText)`;
    } else if (key === 'time' && fields[key] === false) {
      continue;
    } else if (typeof fields[key] !== 'string' || !FIELD_NAME.test(fields[key] as string) || FORBIDDEN.has(fields[key] as string)) {
      return `${key} must be a field name of 1-32 letters, digits, "_", "$" or "-"`;
    }
  }
  const full = { ...DEFAULT_FIELDS, ...fields } as Required<WsEnvelopeFields>;
  const names = FIELD_KEYS.map((k) => full[k]).filter((n): n is string => n !== false);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  return twice === undefined ? undefined : `two fields are named "${twice}"`;
}

/** The dialect of a checked `envelope` option; undefined for the default envelope (no option). */
export function resolveDialect(option: WsEnvelopeOption | undefined): EnvelopeDialect | undefined {
  if (option === undefined) return undefined;
  const fields: Required<WsEnvelopeFields> = typeof option === 'string' ? { ...PRESETS[option] } : { ...DEFAULT_FIELDS, ...option };
  const peekKeys = new Set([fields.name, fields.id]);
  return {
    setting: typeof option === 'string' ? option : fields,
    name: fields.name,
    id: fields.id,
    code: fields.code,
    text: fields.text,
    data: fields.data,
    time: fields.time === false ? undefined : fields.time,
    successText: fields.successText,
    reserved: new Set([fields.name, fields.id, '__proto__', 'constructor', 'prototype']),
    peekKeys,
    // As for the default keys, a little room for a key written with escapes.
    peekKeyBytes: Math.max(16, ...[...peekKeys].map((k) => Buffer.byteLength(k) + 2)),
  };
}

function presetList(): string {
  return Object.keys(PRESETS)
    .map((p) => `"${p}"`)
    .join(', ');
}
