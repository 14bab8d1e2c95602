/**
 * The errors a `WsClient` rejects or throws with. Each has a stable `code` string so that code which cannot use
 * `instanceof` (two copies of the client in one bundle, errors crossing a worker) can still tell them apart.
 * @publicApi
 */
export class WsClientError extends Error {
  constructor(
    message: string,
    readonly code: string | number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The server answered the request with a code other than 0: `code` is the wire code (1, 400, 403, 404, 429, 500,
 * 503 or the app's own), `text` the server's text, `data` its data (the field errors of a 400, say).
 * @publicApi
 */
export class WsRequestError<D = unknown> extends WsClientError {
  declare readonly code: number;
  constructor(
    readonly requestName: string,
    code: number,
    readonly text: string,
    readonly data: D,
  ) {
    super(`${requestName} failed with ${code}${text ? `: ${text}` : ''}`, code);
  }
}

/** No reply came within the request's timeout. A reply that arrives later is discarded. @publicApi */
export class WsTimeoutError extends WsClientError {
  constructor(
    readonly requestName: string,
    readonly timeout: number,
  ) {
    super(`${requestName}: no reply within ${timeout} ms`, 'WS_ERR_TIMEOUT');
  }
}

/**
 * The connection dropped while the request was in flight (sent, not yet answered), or the client was closed with
 * the request still waiting. Whether the server handled it is unknown: retry only what is safe to repeat.
 * @publicApi
 */
export class WsDisconnectedError extends WsClientError {
  constructor(
    readonly requestName: string,
    readonly closeCode?: number,
    readonly reason?: string,
  ) {
    super(`${requestName}: the connection closed before the reply${closeCode ? ` (${closeCode}${reason ? ` ${reason}` : ''})` : ''}`, 'WS_ERR_DISCONNECTED');
  }
}

/** The offline queue was full: this send or request was refused (`'error'`, `'drop-newest'`) or evicted (`'drop-oldest'`). @publicApi */
export class WsQueueFullError extends WsClientError {
  constructor(
    readonly requestName: string,
    readonly max: number,
  ) {
    super(`${requestName}: the offline queue is full (${max} sends)`, 'WS_ERR_QUEUE_FULL');
  }
}
