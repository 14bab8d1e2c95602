import type { WsCommandOptions } from '../interfaces/ws-message-options.interface.js';
import type { WsCommandMetadata } from '../registry/registry-entries.js';
import { WS_COMMAND_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

/**
 * Declares an outbound command on a provider class (stackable). Sending that name through `WsBroker` or
 * `WsContext` applies its priority and queue policy, and the protocol export lists it.
 * @publicApi
 */
export function WsCommand(name: string, options: WsCommandOptions = {}): ClassDecorator {
  return (target) => appendMetadata<WsCommandMetadata>(WS_COMMAND_METADATA, { ...options, name }, target);
}
