import { createRequire } from 'node:module';
import { WsConfigError } from '../errors/ws-config.error.js';
import { MISSING_PACKAGE } from '../ws.messages.js';
import type { WsCodec } from './codec.interface.js';
import type { OutboundEnvelope } from './outbound-envelope.js';

interface MsgpackModule {
  encode(value: unknown, options?: { ignoreUndefined?: boolean }): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** MessagePack envelopes in binary frames, through `@msgpack/msgpack`, loaded only when this codec is chosen. */
export class MsgpackCodec implements WsCodec {
  readonly name = 'msgpack';
  private readonly msgpack: MsgpackModule;

  constructor() {
    try {
      this.msgpack = createRequire(import.meta.url)('@msgpack/msgpack') as MsgpackModule;
    } catch {
      throw new WsConfigError(MISSING_PACKAGE('@msgpack/msgpack', 'by the option codec: "msgpack"'));
    }
  }

  decode(frame: Buffer): unknown {
    return this.msgpack.decode(frame);
  }

  encode(e: OutboundEnvelope): Buffer {
    const bytes = this.msgpack.encode(e, { ignoreUndefined: true });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
