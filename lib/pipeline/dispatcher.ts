import { Inject, Injectable, Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { FanOut } from '../broker/fan-out.js';
import { WsContext } from '../context/ws-context.js';
import { handlerKindOf } from '../errors/handler-kind.js';
import { toReplyError } from '../errors/to-reply-error.js';
import { WsInternalError, WsNotFoundError } from '../errors/ws-reply.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsTracer } from '../observability/ws-tracer.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { EnvelopeError, type InboundEnvelope } from '../protocol/inbound-envelope.js';
import { SpaceCodecs } from '../protocol/space-codecs.js';
import { WsCode } from '../protocol/ws-code.js';
import type { MessageEntry, SpaceTable } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { describeError } from '../utils/describe-error.util.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { validateMessageArgs } from '../validation/validate-message-args.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ContextWiring } from './context-wiring.js';
import { runFilters } from './filter-chain.js';
import { runHooks } from './hook-runner.js';
import { InboundLimiter } from './inbound-limiter.js';
import { InFlight } from './in-flight.js';
import { ackName, resultReplyName } from './one-reply.js';
import { RawDispatcher } from './raw-dispatcher.js';

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Frame → admission (limiter) → envelope (protocol) → receive hooks → filters → handler → reply (the one-reply
 * rule). Nothing thrown here reaches the socket: every failure becomes an error reply, and the connection goes on.
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger(Dispatcher.name);
  /** Frames being handled, from arrival to their last reply; shutdown waits for them. */
  private readonly inFlight = new InFlight();
  /** Set when shutdown begins: frames from then on are answered 503 instead of being handled. */
  private draining = false;
  /** Frame → envelope, with the module's codec and each space's field names. */
  private readonly frames: FrameReader;

  constructor(
    private readonly wiring: ContextWiring,
    private readonly fanOut: FanOut,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
    private readonly limiter: InboundLimiter,
    private readonly validator: ArgsValidator,
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly tracer: WsTracer,
    private readonly raw: RawDispatcher,
    codecs: SpaceCodecs,
  ) {
    this.rawSpaces = raw.spaces;
    this.frames = new FrameReader(codecs, options.maxDepth);
  }

  // --- raw spaces: their frames are not envelopes; RawDispatcher handles them, inside the same in-flight count
  // (shutdown waits for them too). Undefined when no space is raw, so envelope frames pay nothing for it.
  private readonly rawSpaces: ReadonlySet<string> | undefined;
  // --- end raw spaces

  /**
   * Handles one inbound frame. Never rejects. A frame a synchronous handler answers without anything asynchronous
   * configured is handled, replied and out of the in-flight count before this returns, and nothing is returned: no
   * promise (and no `.catch` on one) for the caller to make per frame.
   */
  handle(session: WsSession, frame: Buffer, isBinary: boolean): void | Promise<void> {
    this.inFlight.enter();
    let handled: void | Promise<void>;
    try {
      handled = this.rawSpaces?.has(session.space) ? this.raw.handle(session, frame, isBinary, this.draining) : this.receive(session, frame, isBinary);
    } catch (err) {
      // A reply that could not be encoded in this turn (an acknowledgement a command's data check refused): a
      // rejection, as on the async path, never a throw out of the socket's listener.
      handled = Promise.reject(err);
    }
    if (handled === undefined) {
      this.inFlight.leave();
      return;
    }
    return handled.finally(this.inFlight.leave);
  }

  /**
   * Shutdown began: every frame that arrives from now on is answered 503 (with its `id`) and not handled. The
   * messages already in flight go on; `idle()` says when they are done.
   */
  drain(): void {
    this.draining = true;
  }

  /** Resolves once every message that arrived so far has been handled and its replies handed to the outbox. */
  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  private receive(session: WsSession, frame: Buffer, isBinary: boolean): void | Promise<void> {
    const space = session.space;
    this.metrics.countIn(space, frame.length);
    const admission = this.limiter.admit(session, frame.length);
    if (admission === 'limited') return this.answerLimited(session, frame, isBinary);
    if (admission === 'ignored') return;
    if (frame.length === 0) return; // heartbeat: the adapter already refreshed the read deadline

    const envelope = this.frames.read(space, frame, isBinary);
    // A client's malformed frame is counted, not logged: on a public socket, logging it would let anyone flood the
    // logs. Its id and name are still echoed when the part of it that was read holds them.
    if (envelope instanceof EnvelopeError) return this.rejectFrame(session, envelope);

    if (this.draining) return this.refuseDraining(session, envelope);
    if (session.opening) return this.receiveOpened(session, envelope, frame);
    return this.dispatch(session, envelope, frame);
  }

  /** Inbound messages wait for the open hooks, so a handler never sees a session they have not seen. */
  private async receiveOpened(session: WsSession, envelope: InboundEnvelope, frame: Buffer): Promise<void> {
    await session.opening;
    return this.dispatch(session, envelope, frame);
  }

  private dispatch(session: WsSession, envelope: InboundEnvelope, frame: Buffer): void | Promise<void> {
    if (session.closed) return;
    // No arguments is `{}` for a handler, so `ctx.args.x` never throws; validation still knows they were missing.
    const missing = envelope.data === undefined;
    const ctx = new WsContext(this.wiring, session, envelope.name, envelope.data ?? {}, envelope.id, frame);
    const table = this.registry.table(session.space);
    // The one lookup of the message: the handler, its options and the one-reply rule all read this entry.
    const entry = table.messages.get(envelope.name);
    if (this.tracer.enabled) return this.tracer.run(ctx, frame.length, () => this.process(table, entry, ctx, missing));
    const direct = entry?.handler.direct;
    if (direct && !entry.options.args && table.hooks.receive.length === 0 && table.filters.length === 0) {
      return this.direct(table, entry, direct, ctx);
    }
    return this.process(table, entry, ctx, missing);
  }

  /**
   * The lean path: nothing asynchronous configured (no receive hook, filter, tracer, args class, enhancer), so the
   * method is called in this turn and, when it returns a value rather than a promise, its reply (or the
   * acknowledgement) is written in this turn too: no await, no promise, no `Delivery`. Anything else it returns
   * (a promise, an observable) or throws continues on the same rules as `process`.
   */
  private direct(table: SpaceTable, entry: MessageEntry, direct: (ctx: unknown) => unknown, ctx: WsContext): void | Promise<void> {
    let result: unknown;
    try {
      if (entry.options.rate) this.limiter.checkMessage(ctx.session, entry);
      result = direct(ctx);
      if (isObservable(result) || isPromiseLike(result)) return this.finish(table, entry, ctx, result);
      const reply = resultReplyName(ctx, entry.options, result);
      if (reply !== undefined) return this.replyNow(ctx, reply, result);
    } catch (err) {
      return this.failed(table, entry, ctx, err);
    }
    const ack = ackName(ctx, entry.options);
    if (ack !== undefined) return this.replyNow(ctx, ack, null);
  }

  /** A direct handler that returned a promise or an observable: its outcome, on the rules of `process`. */
  private async finish(table: SpaceTable, entry: MessageEntry, ctx: WsContext, pending: unknown): Promise<void> {
    try {
      let result = isObservable(pending) ? await lastValueFrom(pending, { defaultValue: undefined }) : await pending;
      if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
      const reply = resultReplyName(ctx, entry.options, result);
      if (reply !== undefined) await ctx.reply(reply, result);
    } catch (err) {
      await this.handleError(table, ctx, err);
    }
    await this.acknowledge(ctx, entry);
  }

  private async failed(table: SpaceTable, entry: MessageEntry, ctx: WsContext, err: unknown): Promise<void> {
    await this.handleError(table, ctx, err);
    await this.acknowledge(ctx, entry);
  }

  /** A reply of the dispatcher's own, through the fan-out's synchronous reply; marks the message replied first. */
  private replyNow(ctx: WsContext, name: string, data: unknown): void | Promise<void> {
    ctx.replied = true;
    return this.fanOut.reply(ctx.session, { name, data, options: undefined, id: ctx.id });
  }

  /**
   * Receive hooks, filters, handler; every failure becomes the reply its kind earns. A request with an `id` gets
   * exactly one reply: when nothing replied (the handler returned nothing, a filter stopped the chain quietly), it
   * is acknowledged, unless its message says `reply: false`.
   */
  private async process(table: SpaceTable, entry: MessageEntry | undefined, ctx: WsContext, missing: boolean): Promise<void> {
    try {
      if (table.hooks.receive.length > 0) await runHooks(table.hooks.receive, ctx, this.logger, this.hookFailed(ctx.space));
      // No closure for the chain when the space has no filters.
      if (table.filters.length === 0) await this.invoke(entry, ctx, missing);
      else await runFilters(table.filters, ctx, () => this.invoke(entry, ctx, missing));
    } catch (err) {
      await this.handleError(table, ctx, err);
    }
    await this.acknowledge(ctx, entry);
  }

  /** The one-reply rule's last step: a request nothing replied to is acknowledged. */
  private async acknowledge(ctx: WsContext, entry: MessageEntry | undefined): Promise<void> {
    const ack = ackName(ctx, entry?.options);
    if (ack !== undefined) await ctx.reply(ack, null);
  }

  private async invoke(entry: MessageEntry | undefined, ctx: WsContext, missing: boolean): Promise<void> {
    if (!entry) throw new WsNotFoundError(ctx.name);
    if (entry.options.rate) this.limiter.checkMessage(ctx.session, entry);
    if (entry.options.args) ctx.args = await validateMessageArgs(this.validator, entry.options, ctx.args, missing);
    let result = await entry.handler(ctx.session, ctx.args, ctx, ctx.name);
    if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    const reply = resultReplyName(ctx, entry.options, result);
    if (reply !== undefined) await ctx.reply(reply, result);
  }

  /**
   * Routes a failure to the space's error handler for its kind, or to the default reply. A failure after the
   * message was already replied to is logged (when it is a 500) but not answered: one request, one reply.
   */
  private async handleError(table: SpaceTable, ctx: WsContext, thrown: unknown): Promise<void> {
    const error = toReplyError(thrown);
    if (this.tracer.enabled) this.tracer.failed(ctx, error.code);
    if (error.code === WsCode.ERROR) this.metrics.count(ctx.space, 'handlerErrors');
    // Only what nobody answered is logged; a 500 the app chose (`ctx.error(text)`) is an answer like a 403.
    if (error instanceof WsInternalError) {
      const cause = error.cause ?? error;
      this.logger.error(`"${ctx.name}" in space "${ctx.space}" failed: ${describeError(cause)}`, (cause as Error)?.stack);
    }
    if (ctx.replied) return;
    const handler = table.handlers[handlerKindOf(error.code)];
    if (handler) {
      try {
        await handler.call(ctx, error.code === WsCode.ERROR && error.cause !== undefined ? error.cause : error);
        // A handler that stayed silent on a request leaves it to the default reply, so the client is not left hanging.
        if (ctx.replied || ctx.id === undefined) return;
      } catch (err) {
        this.metrics.count(ctx.space, 'handlerErrors');
        this.logger.error(`${handler.kind} handler ${handler.owner} threw: ${describeError(err)}`, (err as Error)?.stack);
        if (ctx.replied) return;
      }
    }
    await ctx.reply(ctx.name, error.data, { code: error.code, text: error.message });
  }

  /** A frame that arrived after shutdown began: answered 503 with its `id`, not handled. */
  private async refuseDraining(session: WsSession, envelope: InboundEnvelope): Promise<void> {
    await this.wiring.reply(session, envelope.name, null, { code: WsCode.UNAVAILABLE, text: 'server is going away' }, envelope.id);
  }

  /** A frame that is not a valid envelope: counted, and answered 400 with the `id` and `name` read from it. */
  private async rejectFrame(session: WsSession, error: EnvelopeError): Promise<void> {
    this.metrics.count(session.space, 'receiveFailures');
    this.metrics.count(session.space, 'parseFailures');
    await this.wiring.reply(session, error.name, null, { code: WsCode.INVALID, text: `malformed message: ${error.reason}` }, error.id);
  }

  /** A frame over the session's limits: answered 429 with the `id` and `name` found in its first bytes, never parsed. */
  private async answerLimited(session: WsSession, frame: Buffer, isBinary: boolean): Promise<void> {
    const head = this.frames.peekHead(session.space, frame, isBinary);
    await this.wiring.reply(session, head.name ?? '', null, { code: WsCode.RATE_LIMITED, text: 'rate limited' }, head.id);
  }

  private hookFailed(space: string): () => void {
    return () => this.metrics.count(space, 'handlerErrors');
  }
}
