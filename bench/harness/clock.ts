/**
 * Microseconds on the system-wide monotonic clock (libuv reads CLOCK_MONOTONIC), so a timestamp taken in one
 * process can be compared with one taken in another on the same machine. That is what delivery latency needs:
 * the publisher stamps, a subscriber in another worker subtracts.
 */
export const nowUs = (): number => Number(process.hrtime.bigint()) / 1e3;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves at the monotonic instant `atUs` (at once when it is past). */
export const sleepUntil = (atUs: number): Promise<void> => sleep(Math.max(0, (atUs - nowUs()) / 1e3));
