import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { WsIntrospection } from './export.service.js';

/** Writes a one-line summary to the Nest logger every `observeInterval` when `observeLog` is on. */
@Injectable()
export class WsObserver implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WsMetrics');
  private timer: NodeJS.Timeout | undefined;
  private last: Record<string, number> | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly introspection: WsIntrospection,
  ) {}

  onApplicationBootstrap(): void {
    const { observeInterval, observeLog } = this.options;
    if (observeInterval <= 0 || !observeLog) return;
    this.last = this.introspection.metrics().total;
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
    const now = this.introspection.metrics().total;
    const last = this.last ?? now;
    this.last = now;
    const delta = (k: string) => `${now[k]} (+${now[k] - (last[k] ?? 0)})`;
    return (
      `connections=${now.connections} users=${now.users} in=${delta('messagesIn')} out=${delta('messagesOut')} ` +
      `bytesIn=${delta('bytesIn')} bytesOut=${delta('bytesOut')} ` +
      `failures=${now.receiveFailures + now.sendFailures} errors=${now.handlerErrors}` +
      ('queued' in now ? ` queued=${now.queued} dropped=${now.dropped ?? 0}` : '')
    );
  }
}
