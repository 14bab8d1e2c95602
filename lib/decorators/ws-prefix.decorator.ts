import { SetMetadata } from '@nestjs/common';
import { WsConfigError } from '../errors/ws-config.error.js';
import { WS_PREFIX_METADATA } from '../ws.constants.js';

/**
 * Puts `prefix` in front of the name of every `@WsMessage` and `@WsCommand` of the class (infrago's
 * `RegisterMessages(prefix, ...)`): `@WsPrefix('chat.')` with `@WsMessage('join')` handles `chat.join`. The registry,
 * its duplicate check and the protocol export see only the full names. Names a handler *refers to* are full names
 * and are not prefixed: a message's `reply` option, and whatever it sends (`ctx.reply('chat.joined')`). The prefix
 * is used as given: write the separator (`'chat.'`).
 * @publicApi
 */
export function WsPrefix(prefix: string): ClassDecorator {
  if (typeof prefix !== 'string') throw new WsConfigError(`@WsPrefix() takes a string, got ${typeof prefix}`);
  return SetMetadata(WS_PREFIX_METADATA, prefix);
}
