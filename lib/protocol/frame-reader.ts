import { PayloadTooDeepError, sanitizePayload } from '../validation/sanitize-payload.js';
import { EnvelopeError, type EnvelopeHead, type InboundEnvelope, isRecord, readHead, toEnvelope } from './inbound-envelope.js';
import { PEEK_BYTES, peekJsonHead } from './json-peek.js';
import type { SpaceCodecs } from './space-codecs.js';

/**
 * Frame → envelope, for the spaces that speak one: decode with the module's codec, strip the keys that could reach
 * a prototype and refuse deep nesting (`sanitizePayload`), then apply the space's field names, aliases and folding.
 * A frame that fails any step is an `EnvelopeError` that carries the `id` and `name` read from it, so it can still
 * be answered with them.
 */
export class FrameReader {
  constructor(
    private readonly codecs: SpaceCodecs,
    private readonly maxDepth: number,
  ) {}

  read(space: string, frame: Buffer, isBinary: boolean): InboundEnvelope | EnvelopeError {
    const codec = this.codecs.base;
    let decoded: unknown;
    try {
      decoded = codec.decode(frame, isBinary);
    } catch {
      const head = this.peekHead(space, frame, isBinary);
      return new EnvelopeError(`not valid ${codec.name}`, head.id, head.name);
    }
    try {
      sanitizePayload(decoded, this.maxDepth);
    } catch (err) {
      if (!(err instanceof PayloadTooDeepError)) throw err;
      const head = isRecord(decoded) ? readHead(decoded, this.codecs.dialect(space)) : {};
      return new EnvelopeError(err.message, head.id, head.name);
    }
    return toEnvelope(decoded, this.codecs.dialect(space));
  }

  /**
   * The `id` and `name` of a frame that is not (or cannot be) parsed, read from at most its first `PEEK_BYTES`:
   * a JSON frame is scanned without building its values; another codec's frame is decoded only when that small.
   */
  peekHead(space: string, frame: Buffer, isBinary: boolean): EnvelopeHead {
    const codec = this.codecs.base;
    const dialect = this.codecs.dialect(space);
    if (codec.name === 'json') {
      return dialect ? readHead(peekJsonHead(frame, PEEK_BYTES, dialect.peekKeys, dialect.peekKeyBytes), dialect) : readHead(peekJsonHead(frame));
    }
    if (frame.length > PEEK_BYTES) return {};
    try {
      const decoded = codec.decode(frame, isBinary);
      return isRecord(decoded) ? readHead(decoded, dialect) : {};
    } catch {
      return {};
    }
  }
}
