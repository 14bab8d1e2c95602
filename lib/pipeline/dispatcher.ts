import { Inject, Injectable, Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { WsBroker } from '../broker/ws.broker.js';
import { WsContext } from '../context/ws-context.js';
import { WsInternalError, WsInvalidError, WsNotFoundError, WsReplyError } from '../errors/ws-reply.error.js';
import type { WsHandlerKind } from '../interfaces/ws-message-options.interface.js';
import { WsTracer } from '../introspection/ws-tracer.js';
import { WsMetrics } from '../metrics/ws-metrics.js';
import { EnvelopeError, type EnvelopeHead, isRecord, readHead, toEnvelope } from '../protocol/inbound-envelope.js';
import { PEEK_BYTES, peekJsonHead } from '../protocol/json-peek.js';
import { WsCloseCode, WsCode } from '../protocol/ws-code.js';
import type { SpaceTable } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { runFilters } from './filter-chain.js';
import { toReplyError } from '../errors/to-reply-error.js';
import type { MessageEntry } from '../registry/registry-entries.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { PayloadTooDeepError, sanitizePayload } from '../validation/sanitize-payload.js';
import { validateMessageArgs } from '../validation/validate-message-args.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { describeError } from '../utils/describe-error.util.js';
import { runHooks } from './hook-runner.js';
import { InboundLimiter, type SessionVerdict } from './inbound-limiter.js';
import { InFlight } from './in-flight.js';
import { RawDispatcher } from './raw-dispatcher.js';

/**
 * Frame → envelope → receive hooks → filters → handler → reply. Nothing thrown here reaches the socket:
 * every failure becomes an error reply, and the connection goes on.
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger('WsDispatcher');
  /** Frames being handled, from arrival to their last reply; shutdown waits for them. */
  private readonly inFlight = new InFlight();
  /** Set when shutdown begins: frames from then on are answered 503 instead of being handled. */
  private draining = false;

  constructor(
    private readonly broker: WsBroker,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
    private readonly limiter: InboundLimiter,
    private readonly validator: ArgsValidator,
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly tracer: WsTracer,
    private readonly raw: RawDispatcher,
  ) {
    this.rawSpaces = raw.spaces;
  }

  // --- raw spaces: their frames are not envelopes; RawDispatcher handles them, inside the same in-flight count
  // (shutdown waits for them too). Undefined when no space is raw, so envelope frames pay nothing for it.
  private readonly rawSpaces: ReadonlySet<string> | undefined;
  // --- end raw spaces

  /** Handles one inbound frame. Never rejects. */
  handle(session: WsSession, frame: Buffer, isBinary: boolean): Promise<void> {
    this.inFlight.enter();
    const handled = this.rawSpaces?.has(session.space) ? this.raw.handle(session, frame, isBinary, this.draining) : this.receive(session, frame, isBinary);
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

  private async receive(session: WsSession, frame: Buffer, isBinary: boolean): Promise<void> {
    const space = session.space;
    this.metrics.countIn(space, frame.length);
    if (session.flooded) return; // being closed for flooding: nothing more is read
    // Every frame counts before it is read, heartbeats and malformed ones included: a flood is a flood whatever it
    // carries, and a frame over the limit is never parsed.
    if (this.limiter.enabled) {
      const verdict = this.limiter.admitFrame(session, frame.length);
      if (verdict !== 'ok') return this.throttle(session, frame, isBinary, verdict);
    }
    if (frame.length === 0) return; // heartbeat: the adapter already refreshed the read deadline

    let decoded: unknown;
    try {
      decoded = this.broker.codec.decode(frame, isBinary);
    } catch {
      // A client's malformed frame is counted, not logged: on a public socket, logging it would let anyone
      // flood the logs. Its id and name are still echoed when the part of it that was read holds them.
      const head = this.peekHead(session, frame, isBinary);
      return this.rejectFrame(session, new WsInvalidError(`malformed message: not valid ${this.broker.codec.name}`), head.id, head.name);
    }
    try {
      sanitizePayload(decoded, this.options.maxDepth);
    } catch (err) {
      if (!(err instanceof PayloadTooDeepError)) throw err;
      const head = isRecord(decoded) ? readHead(decoded, this.broker.codecs.dialect(space)) : {};
      return this.rejectFrame(session, new WsInvalidError(`malformed message: ${err.message}`), head.id, head.name);
    }
    const envelope = toEnvelope(decoded, this.broker.codecs.dialect(space));
    if (envelope instanceof EnvelopeError) {
      return this.rejectFrame(session, new WsInvalidError(`malformed message: ${envelope.reason}`), envelope.id, envelope.name);
    }

    if (this.draining) {
      await this.broker.reply(session, envelope.name, null, { code: WsCode.UNAVAILABLE, text: 'server is going away' }, envelope.id);
      return;
    }

    if (session.opening) await session.opening;
    if (session.closed) return;
    // No arguments is `{}` for a handler, so `ctx.args.x` never throws; validation still knows they were missing.
    const missing = envelope.data === undefined;
    const ctx = new WsContext(this.broker, session, envelope.name, envelope.data ?? {}, envelope.id, frame);
    const table = this.registry.table(space);
    if (this.tracer.enabled) {
      await this.tracer.run(ctx, frame.length, () => this.process(table, ctx, missing));
    } else {
      await this.process(table, ctx, missing);
    }
  }

  /**
   * Receive hooks, filters, handler; every failure becomes the reply its kind earns. A request with an `id` gets
   * exactly one reply: when nothing replied (the handler returned nothing, a filter stopped the chain quietly), it
   * is acknowledged, unless its message says `reply: false`.
   */
  private async process(table: SpaceTable, ctx: WsContext, missing: boolean): Promise<void> {
    try {
      if (table.hooks.receive.length > 0) await runHooks(table.hooks.receive, ctx, this.logger, this.hookFailed(ctx.space));
      await runFilters(table.filters, ctx, () => this.invoke(table, ctx, missing));
    } catch (err) {
      await this.handleError(table, ctx, err);
    }
    if (ctx.id !== undefined && !ctx.replied) {
      const reply = table.messages.get(ctx.name)?.options.reply;
      if (reply !== false) await ctx.reply(reply || ctx.name, null);
    }
  }

  private async invoke(table: SpaceTable, ctx: WsContext, missing: boolean): Promise<void> {
    const entry = table.messages.get(ctx.name);
    if (!entry) throw new WsNotFoundError(ctx.name);
    if (entry.options.rate && !this.limiter.admitMessage(ctx.session, entry)) {
      this.metrics.count(ctx.space, 'rateLimited');
      throw new WsReplyError(WsCode.RATE_LIMITED, 'rate limited');
    }
    if (entry.options.args) await this.validateArgs(entry, ctx, missing);
    let result = await entry.handler(ctx.session, ctx.args, ctx, ctx.name);
    if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    const reply = entry.options.reply;
    if (!ctx.replied && result !== undefined && reply !== false) await ctx.reply(reply || ctx.name, result);
  }

  private async validateArgs(entry: MessageEntry, ctx: WsContext, missing: boolean): Promise<void> {
    ctx.args = await validateMessageArgs(this.validator, entry.options, ctx.args, missing);
  }

  /** Routes a failure to the space's error handler for its kind, or to the default reply. */
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

  private async rejectFrame(session: WsSession, error: WsReplyError, id?: string | number, name = ''): Promise<void> {
    this.metrics.count(session.space, 'receiveFailures');
    this.metrics.count(session.space, 'parseFailures');
    await this.broker.reply(session, name, null, { code: error.code, text: error.message }, id);
  }

  /**
   * A frame over the session's limits: answered 429 with the `id` and `name` found in its first bytes, never
   * parsed. A session that keeps flooding after its 429s is cut off: replies alone would only feed it. Its later
   * frames are ignored, and the close waits for this turn of the event loop, so the replies to the messages
   * accepted before the flood (still in their handlers' promise chains) leave ahead of the close frame.
   */
  private async throttle(session: WsSession, frame: Buffer, isBinary: boolean, verdict: SessionVerdict): Promise<void> {
    this.metrics.count(session.space, 'rateLimited');
    if (verdict === 'flood') {
      session.flooded = true;
      setImmediate(() => session.transport.close(WsCloseCode.POLICY_VIOLATION, 'rate limit exceeded'));
      return;
    }
    const head = this.peekHead(session, frame, isBinary);
    await this.broker.reply(session, head.name ?? '', null, { code: WsCode.RATE_LIMITED, text: 'rate limited' }, head.id);
  }

  /**
   * The `id` and `name` of a frame that is not (or cannot be) parsed, read from at most its first `PEEK_BYTES`:
   * a JSON frame is scanned without building its values; another codec's frame is decoded only when that small.
   */
  private peekHead(session: WsSession, frame: Buffer, isBinary: boolean): EnvelopeHead {
    const dialect = this.broker.codecs.dialect(session.space);
    if (this.broker.codec.name === 'json') {
      return dialect ? readHead(peekJsonHead(frame, PEEK_BYTES, dialect.peekKeys, dialect.peekKeyBytes), dialect) : readHead(peekJsonHead(frame));
    }
    if (frame.length > PEEK_BYTES) return {};
    try {
      const decoded = this.broker.codec.decode(frame, isBinary);
      return isRecord(decoded) ? readHead(decoded, dialect) : {};
    } catch {
      return {};
    }
  }

  private hookFailed(space: string): () => void {
    return () => this.metrics.count(space, 'handlerErrors');
  }
}

function handlerKindOf(code: number): WsHandlerKind {
  if (code === WsCode.DENIED || code === WsCode.RATE_LIMITED) return 'denied';
  if (code === WsCode.INVALID || code === WsCode.NOT_FOUND || code === WsCode.TOO_LARGE) return 'invalid';
  return 'error';
}
