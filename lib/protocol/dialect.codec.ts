import type { WsCodec } from './codec.interface.js';
import type { EnvelopeDialect } from './envelope-dialect.js';
import type { OutboundEnvelope } from './outbound-envelope.js';

/**
 * The codec of a space with its own envelope field names: the base codec's decoding, and envelopes written under
 * the dialect's names, in the order name, id, code, text, data, time (the order wsrv clients see). The default
 * envelope never goes through here: spaces without a dialect keep the base codec itself.
 */
export class DialectCodec implements WsCodec {
  readonly name: string;
  // JSON keys, quoted and with their colon, computed once.
  private readonly keys: { name: string; id: string; code: string; text: string; data: string; time: string | undefined };

  constructor(
    private readonly base: WsCodec,
    private readonly dialect: EnvelopeDialect,
  ) {
    this.name = base.name;
    const k = (field: string) => `${JSON.stringify(field)}:`;
    this.keys = {
      name: `{${k(dialect.name)}`,
      id: `,${k(dialect.id)}`,
      code: `,${k(dialect.code)}`,
      text: `,${k(dialect.text)}`,
      data: `,${k(dialect.data)}`,
      time: dialect.time === undefined ? undefined : `,${k(dialect.time)}`,
    };
  }

  decode(frame: Buffer, isBinary: boolean): unknown {
    return this.base.decode(frame, isBinary);
  }

  encode(e: OutboundEnvelope): Buffer {
    const text = e.code === 0 && e.text === '' ? this.dialect.successText : e.text;
    if (this.base.name !== 'json') return this.base.encode(this.shaped(e, text) as unknown as OutboundEnvelope);
    const keys = this.keys;
    const data = e.data === undefined ? 'null' : JSON.stringify(e.data);
    let json = keys.name + JSON.stringify(e.name);
    if (e.id !== undefined) json += keys.id + JSON.stringify(e.id);
    json += `${keys.code}${e.code}${keys.text}${JSON.stringify(text)}${keys.data}${data ?? 'null'}`;
    if (keys.time !== undefined) json += keys.time + e.time;
    return Buffer.from(json + '}');
  }

  /** The envelope as an object under the dialect's names, for codecs that encode objects (msgpack). */
  private shaped(e: OutboundEnvelope, text: string): Record<string, unknown> {
    const d = this.dialect;
    const out: Record<string, unknown> = { [d.name]: e.name };
    if (e.id !== undefined) out[d.id] = e.id;
    out[d.code] = e.code;
    out[d.text] = text;
    out[d.data] = e.data ?? null;
    if (d.time !== undefined) out[d.time] = e.time;
    return out;
  }
}
