import { WsCode } from '../protocol/ws-code.js';
import { WsReplyError } from './ws-reply.error.js';

/**
 * Thrown by `join` when the session would be in more than `maxGroups` groups; nothing is joined then. A reply
 * error (400), so a handler that lets it through answers the client with its text instead of a 500.
 * @publicApi
 */
export class WsGroupLimitError extends WsReplyError {
  override name = 'WsGroupLimitError';
  constructor(
    readonly session: string,
    readonly limit: number,
  ) {
    super(WsCode.INVALID, `group limit reached: a session may be in at most ${limit} groups`, { limit });
  }
}
