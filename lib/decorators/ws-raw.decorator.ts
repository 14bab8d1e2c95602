import type { WsSpaceScopedOptions } from '../interfaces/ws-message-options.interface.js';
import { WS_RAW_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

export type WsRawMetadata = WsSpaceScopedOptions;

/**
 * Receives every frame of a raw space (`spaces: { feed: { path, raw: true } }`) as it is, in a `WsRawContext`:
 * `ctx.data` is a string for a text frame, a Buffer for a binary one, `ctx.isBinary` says which. A string or Buffer
 * the method returns is sent back as a frame of that kind. One per raw space; the space is the class's `@WsSpace`
 * or `options.space`.
 * @publicApi
 */
export function WsRaw(options: WsSpaceScopedOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    appendMetadata<WsRawMetadata>(WS_RAW_METADATA, { ...options }, descriptor.value as object);
    return descriptor;
  };
}
