/**
 * The `code` of every outbound envelope. HTTP-like, except `FAIL`, a handler's own failure.
 * @publicApi
 */
export const WsCode = {
  OK: 0,
  FAIL: 1,
  INVALID: 400,
  DENIED: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  ERROR: 500,
  /** The server is shutting down: the message was not handled. */
  UNAVAILABLE: 503,
} as const;
export type WsCode = (typeof WsCode)[keyof typeof WsCode];

/**
 * WebSocket close codes the module uses.
 * @publicApi
 */
export const WsCloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
} as const;
export type WsCloseCode = (typeof WsCloseCode)[keyof typeof WsCloseCode];
