/**
 * Reconnection delays: exponential from `minDelay` by `factor` up to `maxDelay`, each shortened by a random
 * part of up to `jitter` (0..1) of itself, so that clients cut off together by a server restart do not all come
 * back in the same millisecond.
 * @publicApi
 */
export interface WsReconnectOptions {
  /** First delay, ms. @default 250 */
  minDelay?: number;
  /** Longest delay, ms. @default 10000 */
  maxDelay?: number;
  /** @default 2 */
  factor?: number;
  /** Share of each delay that is random, 0 (none) to 1. @default 0.5 */
  jitter?: number;
  /** Attempts after a drop before giving up (state `closed`). @default Infinity */
  retries?: number;
}

export type ResolvedReconnect = Required<WsReconnectOptions>;

export const RECONNECT_DEFAULTS: ResolvedReconnect = { minDelay: 250, maxDelay: 10_000, factor: 2, jitter: 0.5, retries: Infinity };

/** The delay before attempt `attempt` (0 for the first after a drop). */
export function backoffDelay(options: ResolvedReconnect, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelay, options.minDelay * options.factor ** attempt);
  return Math.round(base * (1 - options.jitter * random()));
}
