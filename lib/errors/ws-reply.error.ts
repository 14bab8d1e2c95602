import { IntrinsicException } from '@nestjs/common';
import { WsCode } from '../protocol/ws-code.js';

/**
 * Ends the handling of a message with an error reply of `code`. Throw it (or call `ctx.deny()`, `ctx.invalid()`,
 * `ctx.fail()`, `ctx.error()`, which do) from a filter or a handler; the `denied`, `invalid` and `error`
 * handlers of the space see it as the cause.
 * @publicApi
 */
export class WsReplyError extends IntrinsicException {
  // IntrinsicException: Nest's default exception filter must not log these; they are answers, not failures.
  override name = 'WsReplyError';
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 403: a filter or a guard refused the message. @publicApi */
export class WsDeniedError extends WsReplyError {
  override name = 'WsDeniedError';
  constructor(message = 'denied', data: unknown = null) {
    super(WsCode.DENIED, message, data);
  }
}

/** 400: the message or its arguments are not acceptable. @publicApi */
export class WsInvalidError extends WsReplyError {
  override name = 'WsInvalidError';
  constructor(message = 'invalid arguments', data: unknown = null) {
    super(WsCode.INVALID, message, data);
  }
}

/** 404: no handler for the name in the session's space nor in the default space. @publicApi */
export class WsNotFoundError extends WsReplyError {
  override name = 'WsNotFoundError';
  constructor(name: string) {
    super(WsCode.NOT_FOUND, `unknown message "${name}"`);
  }
}

/** 1: the handler's own failure, with a text and data the client is meant to read. @publicApi */
export class WsFailError extends WsReplyError {
  override name = 'WsFailError';
  constructor(message = 'failed', data: unknown = null) {
    super(WsCode.FAIL, message, data);
  }
}

/**
 * 500 with the app's own text and data: a deliberate answer (`ctx.error('storage unavailable', { retryIn: 5 })`),
 * sent as given. Counted in `handlerErrors` like every 500, but not logged: the app chose what to say.
 * @publicApi
 */
export class WsServerError extends WsReplyError {
  override name = 'WsServerError';
  constructor(message = 'internal error', data: unknown = null) {
    super(WsCode.ERROR, message, data);
  }
}

/**
 * 500 for an exception nobody answered (or `ctx.error(cause)` with a non-string cause). Its cause is logged, never
 * sent: the client reads only "internal error".
 * @publicApi
 */
export class WsInternalError extends WsReplyError {
  override name = 'WsInternalError';
  constructor(cause?: unknown) {
    super(WsCode.ERROR, 'internal error', null, { cause });
  }
}
