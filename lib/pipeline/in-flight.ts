/**
 * Counts the inbound messages being handled, so shutdown can wait for them instead of cutting their replies off.
 * A counter, not a set of promises: entering and leaving cost one increment each on the message path.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  enter(): void {
    this.count++;
  }

  readonly leave = (): void => {
    if (--this.count === 0 && this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake();
  };

  /** Resolves once nothing is in flight (at once when nothing is). */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
