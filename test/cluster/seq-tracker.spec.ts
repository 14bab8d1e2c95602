import { SeqTracker } from '../../lib/cluster/seq-tracker.js';

describe('SeqTracker: per-origin sequence numbers, bounded', () => {
  let now = 0;
  const tracker = () => new SeqTracker({ maxOrigins: 3, idleMs: 1000, maxJump: 100 }, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('counts the packets missing between two of an origin', () => {
    const seqs = tracker();
    expect([1, 2, 5, 6, 10].map((seq) => seqs.observe('a', seq))).toEqual([0, 0, 2, 0, 3]);
  });

  it('resets an origin on a jump past the bound or backwards, counting it once', () => {
    const seqs = tracker();
    expect([1, 102, 103, 1e15, 104, 105, 105, 106].map((seq) => seqs.observe('a', seq))).toEqual([0, 100, 0, 1, 1, 0, 1, 0]);
  });

  it('forgets the origin heard from longest ago past the cap, and idle origins', () => {
    const seqs = tracker();
    for (const origin of ['a', 'b', 'c']) seqs.observe(origin, 1);
    seqs.observe('a', 2); // a is now the most recent
    seqs.observe('d', 1);
    expect(seqs.size).toBe(3);
    expect(seqs.observe('b', 5)).toBe(0); // b was forgotten: heard again, it starts over
    now = 999;
    seqs.observe('e', 1);
    now = 1500;
    seqs.observe('e', 2);
    expect(seqs.size).toBe(1); // everything but e went idle
  });
});
