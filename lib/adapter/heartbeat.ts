import type { WsMetrics } from '../observability/ws-metrics.js';
import type { SessionRegistry } from '../session/session.registry.js';

/**
 * One timer for every session, not one each: every `pingInterval` it pings the live sessions and terminates
 * those silent (no frame, no pong) for `readTimeout`. A dead peer is therefore cut within
 * readTimeout + pingInterval, and its close hook runs from the socket's close event like any other.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly metrics: WsMetrics,
    private readonly pingInterval: number,
    private readonly readTimeout: number,
    private readonly onTick?: (now: number) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.pingInterval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.closed || session.parked) continue; // a parked session has no socket; its window times it
      if (now - session.lastSeen > this.readTimeout) {
        this.metrics.count(session.space, 'readTimeouts');
        session.transport.terminate();
      } else if (session.transport.isOpen) {
        session.transport.ping();
      }
    }
    this.onTick?.(now);
  }
}
