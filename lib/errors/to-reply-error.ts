import { HttpException } from '@nestjs/common';
import { WsCode } from '../protocol/ws-code.js';
import { WsInternalError, WsReplyError } from './ws-reply.error.js';

/**
 * Maps anything a handler, guard, pipe or interceptor threw to the reply it earns:
 * - `WsReplyError` keeps its code;
 * - `HttpException`: a 4xx status becomes that code with the exception's message (a refusing guard's
 *   `ForbiddenException` is 403; `ValidationPipe`'s `BadRequestException` is 400 with its messages in `data`),
 *   a 5xx status becomes 500;
 * - `WsException` (from @nestjs/websockets, recognized by shape so that package stays optional): 400 with its
 *   text, or, for an object error, its `code`/`status`, `message` and the object as `data`;
 * - anything else: 500, "internal error", the cause kept for the log only.
 */
export function toReplyError(thrown: unknown): WsReplyError {
  if (thrown instanceof WsReplyError) return thrown;
  if (thrown instanceof HttpException) {
    const status = thrown.getStatus();
    if (status < 400 || status >= 500) return new WsInternalError(thrown);
    const response = thrown.getResponse();
    const details = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : undefined;
    return new WsReplyError(status, thrown.message, Array.isArray(details) ? details : null);
  }
  if (isWsException(thrown)) {
    const error = thrown.getError();
    if (typeof error === 'string') return new WsReplyError(WsCode.INVALID, error);
    const body = (error ?? {}) as { code?: unknown; status?: unknown; message?: unknown };
    const code = typeof body.code === 'number' ? body.code : typeof body.status === 'number' ? body.status : WsCode.INVALID;
    return new WsReplyError(code, typeof body.message === 'string' ? body.message : 'error', error);
  }
  return new WsInternalError(thrown);
}

function isWsException(value: unknown): value is Error & { getError(): unknown } {
  return value instanceof Error && value.constructor.name === 'WsException' && typeof (value as { getError?: unknown }).getError === 'function';
}
