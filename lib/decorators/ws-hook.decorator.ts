import type { WsHookKind, WsSpaceScopedOptions } from '../interfaces/ws-message-options.interface.js';
import { WS_HOOK_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

export interface WsHookMetadata extends WsSpaceScopedOptions {
  kind: WsHookKind;
}

/**
 * A lifecycle callback: `open` and `close` (once each per session), `receive` (every inbound message, before the
 * filters) and `send` (every outbound frame; synchronous; may replace `ctx.output`).
 * @publicApi
 */
export function WsHook(kind: WsHookKind, options: WsSpaceScopedOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    appendMetadata<WsHookMetadata>(WS_HOOK_METADATA, { ...options, kind }, descriptor.value as object);
    return descriptor;
  };
}
