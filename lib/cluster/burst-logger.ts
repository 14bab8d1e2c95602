import type { Logger } from '@nestjs/common';

/**
 * Logs the first of a burst of similar events, then at most one line per `windowMs` saying how many were
 * suppressed: a forger or a flapping Redis must not be able to flood the logs.
 */
export class BurstLogger {
  private last = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  warn(message: string): void {
    this.report('warn', message);
  }

  error(message: string, stack?: string): void {
    this.report('error', message, stack);
  }

  private report(level: 'warn' | 'error', message: string, stack?: string): void {
    const now = Date.now();
    if (now - this.last < this.windowMs) {
      this.suppressed++;
      return;
    }
    const extra = this.suppressed > 0 ? ` (${this.suppressed} more since the last report)` : '';
    this.last = now;
    this.suppressed = 0;
    if (level === 'error') this.logger.error(message + extra, stack);
    else this.logger.warn(message + extra);
  }
}
