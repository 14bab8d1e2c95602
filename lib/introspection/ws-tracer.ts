import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { PACKAGE_INFO } from './package-info.js';

type OtelApi = typeof import('@opentelemetry/api');
type Tracer = import('@opentelemetry/api').Tracer;

/**
 * One OpenTelemetry span per handled message when `observeTrace` is on and `@opentelemetry/api` is installed.
 * The API returns a no-op tracer until the app registers an SDK, so "the app has a tracer" needs no check here.
 * Without the package, or with tracing off, `run()` is a plain call.
 */
@Injectable()
export class WsTracer implements OnModuleInit {
  private readonly logger = new Logger('WsModule');
  private api: OtelApi | undefined;
  private tracer: Tracer | undefined;

  constructor(@Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions) {}

  async onModuleInit(): Promise<void> {
    if (!this.options.observeTrace) return;
    try {
      this.api = (await import('@opentelemetry/api')) as OtelApi;
      this.tracer = this.api.trace.getTracer(PACKAGE_INFO.name, PACKAGE_INFO.version);
    } catch {
      this.logger.warn('observeTrace is on but @opentelemetry/api is not installed: no spans will be recorded.');
    }
  }

  /** True once a tracer is found; the dispatcher skips the wrapper otherwise, so tracing off costs nothing. */
  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Runs `handle` inside a span named `ws <message name>`. */
  run(space: string, name: string, sid: string, handle: () => Promise<void>): Promise<void> {
    const { tracer, api } = this;
    if (!tracer || !api) return handle();
    return tracer.startActiveSpan(
      `ws ${name}`,
      { kind: api.SpanKind.SERVER, attributes: { 'ws.space': space, 'ws.message': name, 'ws.session': sid } },
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
