/** The backoff unit, doubled per failed attempt up to `RECONNECT_MAX_MS`. */
export const RECONNECT_BASE_MS = 50;
export const RECONNECT_MAX_MS = 2_000;

/**
 * How long to wait before reconnection attempt `times` (1 for the first): exponential backoff (50 ms doubling, at
 * most 2 s) with jitter over its upper half (the first wait is 50–100 ms, the longest 1–2 s), so nodes that lost Redis together do not all knock at the same instant. There is
 * no last attempt: a node that gave up would silently turn single-node after one Redis restart.
 */
export function reconnectDelay(times: number, random: () => number = Math.random): number {
  const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(times, 10));
  return Math.round(backoff / 2 + random() * (backoff / 2));
}
