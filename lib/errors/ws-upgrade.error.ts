/**
 * Thrown by an authenticator (or a handshake guard) to refuse an upgrade with `status` (e.g. 401 or 403) and
 * `message` as the HTTP answer, before any WebSocket exists. The same as throwing an `HttpException` with a 4xx
 * status, for apps that do not want HTTP exceptions in their socket code.
 * @publicApi
 */
export class WsUpgradeError extends Error {
  override readonly name = 'WsUpgradeError';
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? `upgrade refused with ${status}`);
  }
}
