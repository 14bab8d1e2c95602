/** Bounds of the per-origin bookkeeping; see `SeqTracker`. */
export interface SeqTrackerLimits {
  /** Origins (node and channel) remembered at most; past it the one heard from longest ago is forgotten. */
  maxOrigins: number;
  /** An origin not heard from for this long is forgotten. */
  idleMs: number;
  /** The largest forward jump counted as lost packets; a larger one, or any backward one, resets the origin. */
  maxJump: number;
}

export const SEQ_TRACKER_LIMITS: SeqTrackerLimits = { maxOrigins: 10_000, idleMs: 10 * 60_000, maxJump: 1_000_000 };

/**
 * The last sequence number heard from each origin, to count what Redis lost on the way. Origin ids come from
 * packets, which anyone who can publish to Redis can forge, so the memory is bounded: the map is kept in order
 * of last heard (an entry is moved to the end when heard from), idle origins expire from the front, and the
 * oldest is dropped past the cap. A forged sequence number moves the count by at most `maxJump`, and a real
 * origin recovers at its next packet.
 */
export class SeqTracker {
  private readonly last = new Map<string, { seq: number; heard: number }>();

  constructor(
    private readonly limits: SeqTrackerLimits = SEQ_TRACKER_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Origins remembered right now. */
  get size(): number {
    return this.last.size;
  }

  /** Records a packet's sequence number; returns how many packets of that origin went missing before it. */
  observe(origin: string, seq: number): number {
    const now = this.now();
    this.expire(now);
    const entry = this.last.get(origin);
    if (entry === undefined) {
      this.last.set(origin, { seq, heard: now });
      if (this.last.size > this.limits.maxOrigins) this.last.delete(this.last.keys().next().value!);
      return 0;
    }
    const jump = seq - entry.seq;
    let missing = 0;
    if (jump > 1 && jump <= this.limits.maxJump + 1) missing = jump - 1;
    // A restart, a replay or an absurd jump: start over from this packet, counted as one gap.
    else if (jump !== 1) missing = 1;
    entry.seq = seq;
    entry.heard = now;
    this.last.delete(origin);
    this.last.set(origin, entry);
    return missing;
  }

  private expire(now: number): void {
    for (const [origin, entry] of this.last) {
      if (now - entry.heard < this.limits.idleMs) return;
      this.last.delete(origin);
    }
  }
}
