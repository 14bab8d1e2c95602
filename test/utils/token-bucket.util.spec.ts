import { TokenBucket } from '../../lib/utils/token-bucket.util.js';

// The bucket reads the clock only through its `now` arguments, so these specs pass the time in.
describe('TokenBucket', () => {
  it('starts full: a burst is taken at once, and the next take goes negative', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([2, 1, 0]);
    expect(bucket.take(0)).toBe(-1);
  });

  it('refills at `rate` tokens a second, lazily, never above `burst`', () => {
    const bucket = new TokenBucket(10, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    expect(bucket.take(100)).toBe(0); // 100 ms at 10/s: one token back, taken
    expect(bucket.take(10_000)).toBe(2); // refilled to the burst, not beyond
  });

  it('measures debt: tokens taken past empty are paid back by time first', () => {
    const bucket = new TokenBucket(10, 2, 0);
    for (let i = 0; i < 5; i++) bucket.take(0);
    expect(bucket.take(0)).toBe(-4);
    expect(bucket.take(500)).toBe(0); // five tokens back: the debt of four, then this take
  });

  it('takes a cost, for byte budgets', () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    expect(bucket.take(0, 600)).toBe(400);
    expect(bucket.take(0, 600)).toBe(-200);
    expect(bucket.take(1000, 100)).toBe(700); // a second pays the debt of 200 and refills 800
  });

  it('is full once it has refilled completely, so it can be forgotten', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect(bucket.isFull(0)).toBe(true);
    bucket.take(0);
    expect(bucket.isFull(0)).toBe(false);
    expect(bucket.isFull(99)).toBe(false);
    expect(bucket.isFull(100)).toBe(true);
    expect(bucket.take(50)).toBeCloseTo(0.5); // isFull only reads: the refill still counts from the last take
  });
});
