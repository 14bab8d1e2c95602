/**
 * Thrown at bootstrap for a wrong option, a duplicate handler or a space nobody configured.
 * @publicApi
 */
export class WsConfigError extends Error {
  override readonly name = 'WsConfigError';
}
