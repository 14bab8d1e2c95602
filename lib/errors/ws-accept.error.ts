/** Why `WsBroker.accept` refused a socket. */
export type WsAcceptRefusal = 'unknown-space' | 'closed' | 'too-many-connections' | 'not-open' | 'bad-input';

/**
 * Thrown by `WsBroker.accept` when it cannot adopt a socket: an unknown space, a module shutting down, a connection
 * limit reached, a socket that is not open (or already a session), or arguments of the wrong type. The socket is
 * left as it was: it is still the app's to close (1013 suits the limits, 1001 a shutdown).
 * @publicApi
 */
export class WsAcceptError extends Error {
  override readonly name = 'WsAcceptError';
  constructor(
    readonly reason: WsAcceptRefusal,
    message: string,
  ) {
    super(message);
  }
}
