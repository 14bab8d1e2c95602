import type { WsFieldError } from '../validation/args-validator.js';

/**
 * Thrown (as a rejection of the send) when the data of a declared command does not fit its argument class,
 * before anything is written. Only with `validateOutbound` (on unless NODE_ENV is production).
 * @publicApi
 */
export class WsCommandDataError extends Error {
  override readonly name = 'WsCommandDataError';
  constructor(
    readonly command: string,
    readonly errors: WsFieldError[],
  ) {
    super(`data of command "${command}" does not fit its class: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}
