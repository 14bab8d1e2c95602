import { Injectable, Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { WsBroker } from '../broker/ws.broker.js';
import { WsContext } from '../context/ws-context.js';
import { WsInternalError, WsInvalidError, WsNotFoundError, WsReplyError } from '../errors/ws-reply.error.js';
import type { WsHandlerKind } from '../interfaces/ws-message-options.interface.js';
import { WsTracer } from '../introspection/ws-tracer.js';
import { WsMetrics } from '../metrics/ws-metrics.js';
import { EnvelopeError, toEnvelope } from '../protocol/inbound-envelope.js';
import { WsCode } from '../protocol/ws-code.js';
import type { SpaceTable } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { runFilters } from './filter-chain.js';
import { describeError, runHooks } from './hook-runner.js';

/**
 * Frame → envelope → receive hooks → filters → handler → reply. Nothing thrown here reaches the socket:
 * every failure becomes an error reply, and the connection goes on.
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger('WsDispatcher');

  constructor(
    private readonly broker: WsBroker,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
    private readonly tracer: WsTracer,
  ) {}

  /** Handles one inbound frame. Never rejects. */
  async handle(session: WsSession, frame: Buffer, isBinary: boolean): Promise<void> {
    const space = session.space;
    this.metrics.count(space, 'messagesIn');
    this.metrics.count(space, 'bytesIn', frame.length);
    if (frame.length === 0) return; // heartbeat: the adapter already refreshed the read deadline

    let decoded: unknown;
    try {
      decoded = this.broker.codec.decode(frame, isBinary);
    } catch {
      // A client's malformed frame is counted, not logged: on a public socket, logging it would let anyone
      // flood the logs.
      return this.rejectFrame(session, new WsInvalidError(`malformed message: not valid ${this.broker.codec.name}`));
    }
    const envelope = toEnvelope(decoded);
    if (envelope instanceof EnvelopeError) {
      return this.rejectFrame(session, new WsInvalidError(`malformed message: ${envelope.reason}`), envelope.id);
    }

    if (session.opening) await session.opening;
    if (session.closed) return;
    // No arguments is `{}` for a handler, so `ctx.args.x` never throws.
    const ctx = new WsContext(this.broker, session, envelope.name, envelope.data ?? {}, envelope.id, frame);
    const table = this.registry.table(space);
    // The one wrap point for observation: a span per handled message when observeTrace is on.
    await this.tracer.run(space, ctx.name, session.id, async () => {
      try {
        if (table.hooks.receive.length > 0) await runHooks(table.hooks.receive, ctx, this.logger, this.hookFailed(space));
        await runFilters(table.filters, ctx, () => this.invoke(table, ctx));
      } catch (err) {
        await this.handleError(table, ctx, err);
      }
    });
  }

  private async invoke(table: SpaceTable, ctx: WsContext): Promise<void> {
    const entry = table.messages.get(ctx.name);
    if (!entry) throw new WsNotFoundError(ctx.name);
    let result = entry.call(ctx);
    if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    else if (result instanceof Promise) result = await result;
    if (!ctx.replied && result !== undefined) await ctx.reply(entry.options.reply ?? ctx.name, result);
  }

  /** Routes a failure to the space's error handler for its kind, or to the default reply. */
  private async handleError(table: SpaceTable, ctx: WsContext, thrown: unknown): Promise<void> {
    const error = thrown instanceof WsReplyError ? thrown : new WsInternalError(thrown);
    if (error.code === WsCode.ERROR) {
      this.metrics.count(ctx.space, 'handlerErrors');
      const cause = error.cause ?? error;
      this.logger.error(`"${ctx.name}" in space "${ctx.space}" failed: ${describeError(cause)}`, (cause as Error)?.stack);
    }
    const handler = table.handlers[handlerKindOf(error.code)];
    if (handler) {
      try {
        await handler.call(ctx, error.code === WsCode.ERROR && error.cause !== undefined ? error.cause : error);
        return;
      } catch (err) {
        this.metrics.count(ctx.space, 'handlerErrors');
        this.logger.error(`${handler.kind} handler ${handler.owner} threw: ${describeError(err)}`, (err as Error)?.stack);
      }
    }
    await this.broker.reply(ctx.session, ctx.name, error.data, { code: error.code, text: error.message }, ctx.id);
  }

  private async rejectFrame(session: WsSession, error: WsReplyError, id?: string | number): Promise<void> {
    this.metrics.count(session.space, 'receiveFailures');
    this.metrics.count(session.space, 'parseFailures');
    await this.broker.reply(session, '', null, { code: error.code, text: error.message }, id);
  }

  private hookFailed(space: string): () => void {
    return () => this.metrics.count(space, 'handlerErrors');
  }
}

function handlerKindOf(code: number): WsHandlerKind {
  if (code === WsCode.DENIED) return 'denied';
  if (code === WsCode.INVALID || code === WsCode.NOT_FOUND || code === WsCode.TOO_LARGE) return 'invalid';
  return 'error';
}
