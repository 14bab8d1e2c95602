/**
 * How the client writes and reads frames when not JSON. The `@msgpack/msgpack` module itself is such a codec
 * (`import * as msgpack from '@msgpack/msgpack'; new WsClient(url, { codec: msgpack })`), so the client never
 * depends on it: the app that chose msgpack on the server passes the module it already has.
 * @publicApi
 */
export interface WsClientCodec {
  /** A `Uint8Array` is sent as a binary frame, a string as a text frame. */
  encode(value: unknown): Uint8Array | string;
  /** Reads a binary frame. */
  decode(bytes: Uint8Array): unknown;
}

export interface FrameCodec {
  encode(value: unknown): Uint8Array | string;
  /** `data` is a string for a text frame, bytes for a binary one. */
  decode(data: string | Uint8Array): unknown;
}

const utf8 = new TextDecoder();

/** Text frames are always JSON (the server's default codec writes them); binary frames go to the chosen codec. */
export function frameCodec(codec: 'json' | WsClientCodec | undefined): FrameCodec {
  if (codec === undefined || codec === 'json') {
    return {
      encode: (value) => JSON.stringify(value),
      // The server's JSON codec with `format: 'binary'` sends UTF-8 JSON in binary frames.
      decode: (data) => JSON.parse(typeof data === 'string' ? data : utf8.decode(data)),
    };
  }
  if (typeof codec !== 'object' || codec === null || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new TypeError(`WsClient: codec must be 'json' or an object with encode(value) and decode(bytes) (e.g. the @msgpack/msgpack module)`);
  }
  return {
    encode: (value) => codec.encode(value),
    decode: (data) => (typeof data === 'string' ? JSON.parse(data) : codec.decode(data)),
  };
}
