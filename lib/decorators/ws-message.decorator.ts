import type { WsMessageOptions } from '../interfaces/ws-message-options.interface.js';
import { WS_MESSAGE_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

export interface WsMessageMetadata extends WsMessageOptions {
  name: string;
}

/**
 * Handles the inbound message `name`. The method receives a `WsContext`; a value it returns (or resolves to)
 * is replied under the same name, unless the handler already replied itself.
 * @publicApi
 */
export function WsMessage(name: string, options: WsMessageOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    appendMetadata<WsMessageMetadata>(WS_MESSAGE_METADATA, { ...options, name }, descriptor.value as object);
    return descriptor;
  };
}
