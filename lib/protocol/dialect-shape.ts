import type { EnvelopeDialect } from './envelope-dialect.js';

/**
 * A default-envelope object (an example of the export) written in a dialect: the same values under the dialect's
 * field names, in its order, as `DialectCodec` writes them. Used for documents, never on the message path.
 */
export function inDialect(envelope: Record<string, unknown>, dialect: EnvelopeDialect): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('name' in envelope) out[dialect.name] = envelope.name;
  if (envelope.id !== undefined) out[dialect.id] = envelope.id;
  if ('code' in envelope) {
    out[dialect.code] = envelope.code;
    out[dialect.text] = envelope.code === 0 && !envelope.text ? dialect.successText : envelope.text;
  }
  if ('data' in envelope) out[dialect.data] = envelope.data;
  if ('time' in envelope && dialect.time !== undefined) out[dialect.time] = envelope.time;
  return out;
}
