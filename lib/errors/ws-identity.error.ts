import { WsDeniedError } from './ws-reply.error.js';

/**
 * Thrown by `bindUser` when the session's user was established by the authenticator at upgrade and the call did
 * not pass `{ replace: true }`: an identity proven at connection must not be changed by a message. Inside a
 * handler it answers 403 with this text.
 * @publicApi
 */
export class WsIdentityError extends WsDeniedError {
  override name = 'WsIdentityError';
  constructor(
    readonly sid: string,
    readonly user: string,
  ) {
    super(`the user of this session ("${user}") was set by the authenticator and cannot be replaced`);
  }
}
