import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import type { SpaceCounters } from './space-counters.js';
import { WsMetrics } from './ws-metrics.js';

/** Writes a one-line summary to the Nest logger every `observeInterval` when `observeLog` is on. */
@Injectable()
export class WsObserver implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WsObserver.name);
  private timer: NodeJS.Timeout | undefined;
  private last: SpaceCounters | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly metrics: WsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const { observeInterval, observeLog } = this.options;
    if (observeInterval <= 0 || !observeLog) return;
    this.last = this.metrics.snapshot().total;
    this.timer = setInterval(() => this.logger.log(this.summary()), observeInterval);
    // A summary timer must never be what keeps the process alive.
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** `connections=2 users=1 in=10 (+4) out=12 (+5) bytesIn=… bytesOut=… failures=0 errors=0`; + is since last line. */
  summary(): string {
    const now = this.metrics.snapshot().total;
    const last = this.last ?? now;
    this.last = now;
    const delta = (k: keyof SpaceCounters) => `${now[k]} (+${now[k] - last[k]})`;
    return (
      `connections=${now.connections} users=${now.users} in=${delta('messagesIn')} out=${delta('messagesOut')} ` +
      `bytesIn=${delta('bytesIn')} bytesOut=${delta('bytesOut')} ` +
      `failures=${now.receiveFailures + now.sendFailures} errors=${now.handlerErrors}` +
      ` queued=${now.queued} dropped=${now.dropped}`
    );
  }
}
