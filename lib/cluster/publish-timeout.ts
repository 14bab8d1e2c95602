/**
 * A publish Redis did not acknowledge in time. The send resolves with it as `firstError`; whether the packet
 * still reaches other nodes later is unknown (at most once).
 * @publicApi
 */
export class WsPublishTimeoutError extends Error {
  override readonly name = 'WsPublishTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`Redis did not acknowledge the publish within ${timeoutMs} ms`);
  }
}

/** Settles like `promise`, or rejects with a `WsPublishTimeoutError` after `ms`; a later outcome is ignored. */
export function withPublishTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new WsPublishTimeoutError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
