/**
 * The field names of a space's envelope, as the server's space option `envelope` names them: what is not named
 * keeps its default name. The same shape as the server's `WsEnvelopeFields`, repeated here because the client must
 * not import the server's side of the package (it runs in browsers, without Nest or Node's `Buffer`).
 * @publicApi
 */
export interface WsClientEnvelopeFields {
  name?: string;
  id?: string;
  code?: string;
  text?: string;
  data?: string;
  time?: string | false;
  /** The server's `text` on success; the client does not need it, it is accepted so one object serves both sides. */
  successText?: string;
}

/** `'wsrv'` (go-eyas/wsrv's `{cmd, seqno, status, msg, data}`), or the field names. @publicApi */
export type WsClientEnvelope = 'wsrv' | WsClientEnvelopeFields;

/** A message as the client received it, under the default names whatever the space's dialect. @publicApi */
export interface WsClientMessage<D = unknown> {
  code: number;
  name: string;
  data: D;
  text: string;
  /** Unix seconds; absent in a dialect without a time field. */
  time?: number;
  id?: string | number;
}

export interface EnvelopeFields {
  name: string;
  id: string;
  code: string;
  text: string;
  data: string;
  time: string | undefined;
}

const DEFAULT: EnvelopeFields = { name: 'name', id: 'id', code: 'code', text: 'text', data: 'data', time: 'time' };
const WSRV: EnvelopeFields = { name: 'cmd', id: 'seqno', code: 'status', text: 'msg', data: 'data', time: undefined };

export function resolveEnvelope(option: WsClientEnvelope | undefined): EnvelopeFields {
  if (option === undefined) return DEFAULT;
  if (option === 'wsrv') return WSRV;
  if (typeof option !== 'object' || option === null) throw new TypeError(`WsClient: envelope must be 'wsrv' or { name, id, code, text, data, time }`);
  return {
    name: option.name ?? DEFAULT.name,
    id: option.id ?? DEFAULT.id,
    code: option.code ?? DEFAULT.code,
    text: option.text ?? DEFAULT.text,
    data: option.data ?? DEFAULT.data,
    time: option.time === false ? undefined : (option.time ?? DEFAULT.time),
  };
}

/** The outbound object under the dialect's names; `data` and `id` are left out when undefined. */
export function outbound(fields: EnvelopeFields, name: string, data: unknown, id: number | undefined): Record<string, unknown> {
  const frame: Record<string, unknown> = { [fields.name]: name };
  if (data !== undefined) frame[fields.data] = data;
  if (id !== undefined) frame[fields.id] = id;
  return frame;
}

/** Reads a decoded frame; undefined when it is not an envelope (the client ignores such frames rather than throw). */
export function inbound(fields: EnvelopeFields, value: unknown): WsClientMessage | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  const name = frame[fields.name];
  const code = frame[fields.code];
  if (typeof name !== 'string' || typeof code !== 'number') return undefined;
  const message: WsClientMessage = { code, name, data: frame[fields.data] ?? null, text: typeof frame[fields.text] === 'string' ? (frame[fields.text] as string) : '' };
  const time = fields.time === undefined ? undefined : frame[fields.time];
  if (typeof time === 'number') message.time = time;
  const id = frame[fields.id];
  if (typeof id === 'string' || typeof id === 'number') message.id = id;
  return message;
}
