/**
 * What `WsBroker.accept(ws, request, options)` needs besides the socket: the space it joins, and the identity the
 * app established itself (as an authenticator's would be: the user is bound before the open hooks run, and stays
 * put unless replaced with `{ replace: true }`).
 * @publicApi
 */
export interface WsAcceptOptions {
  space: string;
  user?: string;
  locals?: Record<string, unknown>;
}
