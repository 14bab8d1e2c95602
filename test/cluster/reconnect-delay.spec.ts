import { RECONNECT_MAX_MS, reconnectDelay } from '../../lib/cluster/redis/reconnect-delay.js';

describe('reconnectDelay: backoff for the Redis connections', () => {
  it('doubles from 50 ms and stops at 2 s, jittered over the upper half of each step', () => {
    const lowest = () => 0;
    const highest = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((times) => reconnectDelay(times, lowest))).toEqual([50, 100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5, 6].map((times) => reconnectDelay(times, highest))).toEqual([100, 200, 400, 800, 1600, 2000]);
  });

  it('never gives up: the thousandth attempt still gets a delay, capped', () => {
    for (const times of [7, 50, 1000, 1_000_000]) {
      const delay = reconnectDelay(times);
      expect(delay).toBeGreaterThanOrEqual(RECONNECT_MAX_MS / 2);
      expect(delay).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    }
  });
});
