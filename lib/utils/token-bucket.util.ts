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

  /** Takes a token; returns the tokens left, negative when the message was over the limit. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return --this.tokens;
  }

  /** True when the bucket has refilled completely, so forgetting it changes nothing. */
  isFull(now = Date.now()): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.rate >= this.burst;
  }
}
