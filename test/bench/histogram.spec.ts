import { Histogram } from '../../bench/harness/histogram.js';
import { median, split } from '../../bench/harness/stats.js';

describe('Histogram (bench latency recording)', () => {
  it('reads percentiles within its 2 % bucket resolution', () => {
    const histogram = new Histogram();
    for (let us = 1; us <= 10_000; us++) histogram.record(us);
    for (const [p, exact] of [
      [50, 5_000],
      [99, 9_900],
      [100, 10_000],
    ]) {
      const read = histogram.percentile(p);
      expect(read).toBeGreaterThanOrEqual(exact);
      expect(read / exact).toBeLessThanOrEqual(1.02);
    }
  });

  it('merges histograms from several workers by adding their counts', () => {
    const fast = new Histogram();
    const slow = new Histogram();
    for (let i = 0; i < 90; i++) fast.record(100);
    for (let i = 0; i < 10; i++) slow.record(50_000);
    const merged = new Histogram();
    merged.merge(JSON.parse(JSON.stringify(fast.toData())));
    merged.merge(slow.toData());
    expect(merged.total).toBe(100);
    expect(merged.percentile(50)).toBeLessThan(110);
    expect(merged.percentile(99)).toBeGreaterThan(49_000);
  });

  it('stays the same size whatever it records, and is NaN when empty', () => {
    const histogram = new Histogram();
    expect(histogram.percentile(50)).toBeNaN();
    histogram.record(0);
    histogram.record(1e15);
    expect(Object.keys(histogram.toData()).length).toBe(2);
    expect(histogram.percentile(100)).toBeGreaterThan(3e8); // the last bucket, ~6.5 minutes
  });
});

describe('median and split (bench stats)', () => {
  it('takes the median of the finite values only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('splits connections over workers without losing any', () => {
    expect(split(10, 3)).toEqual([4, 3, 3]);
    expect(split(1, 2)).toEqual([1, 0]);
  });
});
