import type { OutboundEnvelope } from './outbound-envelope.js';

/**
 * Turns frames into values and envelopes into bytes. `decode` throws on bytes it cannot read; the dispatcher
 * answers that with a 400, so a codec needs no error handling of its own.
 * @publicApi
 */
export interface WsCodec {
  readonly name: string;
  decode(frame: Buffer, isBinary: boolean): unknown;
  encode(envelope: OutboundEnvelope): Buffer;
}
