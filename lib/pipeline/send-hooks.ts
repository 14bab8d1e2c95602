import { Injectable, Logger } from '@nestjs/common';
import { FanOut } from '../broker/fan-out.js';
import { BurstLogger } from '../cluster/burst-logger.js';
import { WsContext } from '../context/ws-context.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { ContextWiring } from './context-wiring.js';
import { runSendHooks } from './hook-runner.js';

/**
 * Gives the fan-out its send-hook runner at bootstrap. A send hook takes a `WsContext`, and a context sends through
 * the broker, so the runner is built up here: the fan-out below only calls it.
 */
@Injectable()
export class SendHooks {
  // A send hook runs per recipient and frame, and a frame may come from another node: one line per burst.
  private readonly logger = new BurstLogger(new Logger(SendHooks.name));

  constructor(fanOut: FanOut, wiring: ContextWiring, metrics: WsMetrics) {
    fanOut.useSendHooks((hooks, session, out, frame) => {
      const ctx = new WsContext(wiring, session, out.name, out.data);
      ctx.output = frame;
      runSendHooks(hooks, ctx, this.logger, () => metrics.count(session.space, 'handlerErrors'));
      return ctx.output;
    });
  }
}
