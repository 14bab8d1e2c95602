import type { SessionRegistry } from '../session/session.registry.js';

/**
 * `maxConnections` and each space's own, counting the upgrades still in their asynchronous checks as sessions:
 * a burst of slow authentications cannot overshoot a limit.
 */
export class ConnectionLimits {
  private pending = 0;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly max: number,
    private readonly spaceMax: Readonly<Record<string, number>>,
  ) {}

  /** Whether a space may take one more session. */
  room(space: string): boolean {
    const index = this.sessions.find(space)!;
    return this.sessions.size + this.pending < this.max && index.sessions.size + this.pending < this.spaceMax[space];
  }

  /** Counts an upgrade as a session while `checks` run. */
  async holding<T>(checks: () => Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await checks();
    } finally {
      this.pending--;
    }
  }
}
