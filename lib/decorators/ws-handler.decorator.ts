import type { WsHandlerKind, WsSpaceScopedOptions } from '../interfaces/ws-message-options.interface.js';
import { WS_HANDLER_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

export interface WsHandlerMetadata extends WsSpaceScopedOptions {
  kind: WsHandlerKind;
}

/**
 * Replaces the default reply for an outcome: `error` (a handler threw), `invalid` (bad input),
 * `denied` (a filter or guard refused). The method receives `(ctx, cause)`.
 * @publicApi
 */
export function WsHandler(kind: WsHandlerKind, options: WsSpaceScopedOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    appendMetadata<WsHandlerMetadata>(WS_HANDLER_METADATA, { ...options, kind }, descriptor.value as object);
    return descriptor;
  };
}
