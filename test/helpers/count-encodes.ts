import type { WsCodec } from '../../lib/protocol/codec.interface.js';

/**
 * Counts a codec's encodes while `run` runs (the codec put back after): proof that a send to many serialises
 * once, however many sessions it reaches.
 */
export async function countEncodes<T>(codec: WsCodec, run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const encode = codec.encode;
  let calls = 0;
  codec.encode = (envelope) => {
    calls++;
    return encode.call(codec, envelope);
  };
  try {
    return { result: await run(), calls };
  } finally {
    codec.encode = encode;
  }
}
