import { Inject, Injectable, Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { FanOut } from '../broker/fan-out.js';
import { rawOutgoing } from '../broker/raw-frame.js';
import { WsRawContext } from '../context/ws-raw-context.js';
import { toReplyError } from '../errors/to-reply-error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsTracer } from '../observability/ws-tracer.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { WsCode } from '../protocol/ws-code.js';
import type { RawEntry, SpaceTable } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { describeError } from '../utils/describe-error.util.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ContextWiring } from './context-wiring.js';
import { runFilters } from './filter-chain.js';
import { runHooks } from './hook-runner.js';
import { InboundLimiter } from './inbound-limiter.js';

/**
 * The frames of a raw space (`raw: true`): not envelopes, so nothing is parsed and nothing is answered with one.
 * Each frame goes, as it came, through the session's limits, the receive hooks and the filters to the space's
 * `@WsRaw()` handler (guards, interceptors, pipes and exception filters around it, as for messages); a string or
 * Buffer it returns goes back as a frame of that kind.
 *
 * With no envelope there is no error reply: a frame over the rate limit is dropped (a flood still closes with 1008),
 * one that arrives after shutdown began is dropped, and a failure is counted and logged (500s at error level, the
 * deliberate refusals of guards and filters at debug level) instead of answered.
 */
@Injectable()
export class RawDispatcher {
  private readonly logger = new Logger(RawDispatcher.name);
  private readonly rawSpaces: ReadonlySet<string>;

  constructor(
    private readonly wiring: ContextWiring,
    private readonly fanOut: FanOut,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
    private readonly limiter: InboundLimiter,
    private readonly tracer: WsTracer,
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
  ) {
    this.rawSpaces = new Set(options.rawSpaces);
  }

  /** Spaces whose frames come here; undefined when there are none, so the message path checks nothing more. */
  get spaces(): ReadonlySet<string> | undefined {
    return this.rawSpaces.size > 0 ? this.rawSpaces : undefined;
  }

  /**
   * Handles one frame of a raw space. Never rejects. As for messages, a synchronous handler with nothing asynchronous
   * configured (no receive hook, filter, tracer or enhancer) runs and is answered in the frame's turn.
   */
  handle(session: WsSession, frame: Buffer, isBinary: boolean, draining: boolean): void | Promise<void> {
    const space = session.space;
    this.metrics.countIn(space, frame.length);
    // Over the limits a raw frame is dropped: with no envelope there is no 429 to answer it with.
    if (this.limiter.admit(session, frame.length) !== 'read') return;
    if (draining) return;
    if (session.opening) return this.handleOpened(session, frame, isBinary);
    return this.dispatch(session, frame, isBinary);
  }

  /** Frames wait for the open hooks, so a handler never sees a session they have not seen. */
  private async handleOpened(session: WsSession, frame: Buffer, isBinary: boolean): Promise<void> {
    await session.opening;
    return this.dispatch(session, frame, isBinary);
  }

  private dispatch(session: WsSession, frame: Buffer, isBinary: boolean): void | Promise<void> {
    if (session.closed) return;
    const ctx = new WsRawContext(this.wiring, session, isBinary ? frame : frame.toString('utf8'), isBinary, frame);
    const table = this.registry.table(session.space);
    const entry = this.registry.raw(session.space);
    if (this.tracer.enabled) return this.tracer.run(ctx, frame.length, () => this.process(table, entry, ctx));
    const direct = entry?.handler.direct;
    if (direct && table.hooks.receive.length === 0 && table.filters.length === 0) return this.direct(entry, direct, ctx);
    return this.process(table, entry, ctx);
  }

  /** The lean path: the method called in this turn; a string or Buffer it returns is written in this turn too. */
  private direct(entry: RawEntry, direct: (ctx: unknown) => unknown, ctx: WsRawContext): void | Promise<void> {
    try {
      const result = direct(ctx);
      if (isObservable(result) || typeof (result as PromiseLike<unknown> | null)?.then === 'function') return this.finish(entry, ctx, result);
      return this.answer(entry, ctx, result);
    } catch (err) {
      this.failed(ctx, err);
    }
  }

  private async finish(entry: RawEntry, ctx: WsRawContext, pending: unknown): Promise<void> {
    try {
      const result = isObservable(pending) ? await lastValueFrom(pending, { defaultValue: undefined }) : await pending;
      await this.answer(entry, ctx, result);
    } catch (err) {
      this.failed(ctx, err);
    }
  }

  /** A string or Buffer the handler returned goes back as a frame of that kind; nothing is sent for nothing. */
  private answer(entry: RawEntry, ctx: WsRawContext, result: unknown): void | Promise<void> {
    if (result === undefined || result === null) return;
    if (typeof result !== 'string' && !(result instanceof Uint8Array)) {
      throw new TypeError(`${entry.owner} returned ${typeof result}; a @WsRaw() handler returns a string, a Buffer or nothing`);
    }
    return this.fanOut.reply(ctx.session, rawOutgoing(result, undefined));
  }

  private async process(table: SpaceTable, entry: RawEntry | undefined, ctx: WsRawContext): Promise<void> {
    try {
      if (table.hooks.receive.length > 0) await runHooks(table.hooks.receive, ctx, this.logger, this.hookFailed(ctx.space));
      if (table.filters.length === 0) await this.invoke(entry, ctx);
      else await runFilters(table.filters, ctx, () => this.invoke(entry, ctx));
    } catch (err) {
      this.failed(ctx, err);
    }
  }

  /** Without a `@WsRaw()` handler the space only receives sends: its frames are counted and go nowhere. */
  private async invoke(entry: RawEntry | undefined, ctx: WsRawContext): Promise<void> {
    if (!entry) return;
    let result = await entry.handler(ctx.session, ctx.data, ctx, '');
    if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    await this.answer(entry, ctx, result);
  }

  private failed(ctx: WsRawContext, thrown: unknown): void {
    const error = toReplyError(thrown);
    if (this.tracer.enabled) this.tracer.failed(ctx, error.code);
    if (error.code === WsCode.ERROR) {
      this.metrics.count(ctx.space, 'handlerErrors');
      const cause = error.cause ?? error;
      this.logger.error(`a raw frame in space "${ctx.space}" failed: ${describeError(cause)}`, (cause as Error)?.stack);
      return;
    }
    // A deliberate refusal (a guard, ctx.deny(), a message rate): the frame was not handled, nothing is wrong here.
    this.metrics.count(ctx.space, 'receiveFailures');
    this.logger.debug(`a raw frame in space "${ctx.space}" was refused: ${error.code} ${error.message}`);
  }

  private hookFailed(space: string): () => void {
    return () => this.metrics.count(space, 'handlerErrors');
  }
}
