import type { WsSpaceScopedOptions } from '../interfaces/ws-message-options.interface.js';
import { WS_FILTER_METADATA } from '../ws.constants.js';

/**
 * Marks a method `(ctx, next) => Promise<void> | void` as an inbound filter. Filters run in discovery order,
 * the default space's first, then the session's space's; one that does not call `next()` ends the chain.
 * @publicApi
 */
export function WsFilter(options: WsSpaceScopedOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(WS_FILTER_METADATA, options, descriptor.value as object);
    return descriptor;
  };
}
