import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import type { WsCodec } from './codec.interface.js';
import { createCodec } from './create-codec.js';
import { DialectCodec } from './dialect.codec.js';
import { type EnvelopeDialect, resolveDialect } from './envelope-dialect.js';

/**
 * The codec and dialect of every space, chosen once at bootstrap. A space with the default envelope gets the base
 * codec itself, so its sends cost exactly what they did before dialects existed: one map lookup per send, not
 * per recipient.
 */
export class SpaceCodecs {
  readonly base: WsCodec;
  private readonly codecs = new Map<string, WsCodec>();
  private readonly dialects = new Map<string, EnvelopeDialect>();

  constructor(options: Pick<WsResolvedOptions, 'codec' | 'spaces' | 'spaceEnvelope'>) {
    this.base = createCodec(options.codec);
    for (const space of Object.keys(options.spaces)) {
      const dialect = resolveDialect(options.spaceEnvelope[space]);
      if (dialect) this.dialects.set(space, dialect);
      this.codecs.set(space, dialect ? new DialectCodec(this.base, dialect) : this.base);
    }
  }

  /** The codec that writes the envelopes of `space`. */
  codec(space: string): WsCodec {
    return this.codecs.get(space) ?? this.base;
  }

  /** The field names of `space`, or undefined for the default envelope. */
  dialect(space: string): EnvelopeDialect | undefined {
    return this.dialects.get(space);
  }
}
