/**
 * A token bucket refilled lazily from the clock: no timer per bucket. Tokens may go below zero, which is how a
 * session's "debt" of excess messages is measured before it is closed for flooding.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `cost` tokens (one message, or a frame's bytes); returns the tokens left, negative when over the limit. */
  take(now = Date.now(), cost = 1): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return (this.tokens -= cost);
  }

  /** True when the bucket has refilled completely, so forgetting it changes nothing. */
  isFull(now = Date.now()): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.rate >= this.burst;
  }
}
