import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { PACKAGE_INFO } from '../utils/package-info.util.js';
import { TraceBuffer, type WsTraceReport } from './trace-buffer.js';

/** What the tracer reads of a message being handled (a `WsContext`): observability sits below the contexts. */
export interface TracedMessage {
  readonly space: string;
  readonly name: string;
  readonly session: { readonly id: string };
}

type OtelApi = typeof import('@opentelemetry/api');
type Tracer = import('@opentelemetry/api').Tracer;

/**
 * What is observed of each handled message, when asked for: an OpenTelemetry span (`observeTrace`, when
 * `@opentelemetry/api` is installed) and an entry in the trace ring (`trace`). The API returns a no-op tracer
 * until the app registers an SDK, so "the app has a tracer" needs no check here. With both off the dispatcher
 * does not call `run()` at all.
 */
@Injectable()
export class WsTracer implements OnModuleInit {
  private readonly logger = new Logger(WsTracer.name);
  private api: OtelApi | undefined;
  private tracer: Tracer | undefined;
  /** The last handled messages, when the `trace` option is on. */
  private readonly buffer: TraceBuffer | undefined;
  /** Error codes of the messages being handled, so `run()` can record each outcome. */
  private readonly outcomes = new WeakMap<TracedMessage, number>();

  constructor(@Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions) {
    this.buffer = options.trace ? new TraceBuffer(options.trace.size) : undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.observeTrace) return;
    try {
      this.api = (await import('@opentelemetry/api')) as OtelApi;
      this.tracer = this.api.trace.getTracer(PACKAGE_INFO.name, PACKAGE_INFO.version);
    } catch {
      this.logger.warn('observeTrace is on but @opentelemetry/api is not installed: no spans will be recorded.');
    }
  }

  /** True when spans or the trace ring are on; the dispatcher skips the wrapper otherwise, so both off cost nothing. */
  get enabled(): boolean {
    return this.tracer !== undefined || this.buffer !== undefined;
  }

  /** The trace ring, newest first; undefined when the `trace` option is off. */
  report(): WsTraceReport | undefined {
    return this.buffer?.report();
  }

  /** The dispatcher tells the outcome of a message that failed (its reply's code); success needs no call. */
  failed(ctx: TracedMessage, code: number): void {
    if (this.buffer) this.outcomes.set(ctx, code);
  }

  /** Runs `handle` (which handles `ctx`, a frame of `bytes`) inside a span named `ws <message name>`, and records it. */
  run(ctx: TracedMessage, bytes: number, handle: () => Promise<void>): Promise<void> {
    const buffer = this.buffer;
    const started = buffer ? performance.now() : 0;
    const handled = this.tracer ? this.span(ctx, handle) : handle();
    if (!buffer) return handled;
    const record = (code: number) =>
      buffer.add({
        time: Date.now(),
        space: ctx.space,
        name: ctx.name,
        code,
        us: Math.round((performance.now() - started) * 1000),
        bytes,
      });
    return handled.then(
      () => record(this.outcomes.get(ctx) ?? 0),
      (err: unknown) => {
        record(500);
        throw err;
      },
    );
  }

  private span(ctx: TracedMessage, handle: () => Promise<void>): Promise<void> {
    const { tracer, api } = this;
    if (!tracer || !api) return handle();
    return tracer.startActiveSpan(
      `ws ${ctx.name}`,
      { kind: api.SpanKind.SERVER, attributes: { 'ws.space': ctx.space, 'ws.message': ctx.name, 'ws.session': ctx.session.id } },
      (span) =>
        handle().then(
          () => span.end(),
          (err: unknown) => {
            span.recordException(err as Error);
            span.setStatus({ code: api.SpanStatusCode.ERROR });
            span.end();
            throw err;
          },
        ),
    );
  }
}
