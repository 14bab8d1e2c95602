import type { WsHandlerKind } from '../interfaces/ws-message-options.interface.js';
import { WsCode } from '../protocol/ws-code.js';

/**
 * The space handler (`@WsHandler('denied' | 'invalid' | 'error')`) a failure answered with `code` goes to: refusals
 * (403, 429) are `denied`, the client's mistakes (400, 404, 413) `invalid`, everything else `error`.
 */
export function handlerKindOf(code: number): WsHandlerKind {
  if (code === WsCode.DENIED || code === WsCode.RATE_LIMITED) return 'denied';
  if (code === WsCode.INVALID || code === WsCode.NOT_FOUND || code === WsCode.TOO_LARGE) return 'invalid';
  return 'error';
}
