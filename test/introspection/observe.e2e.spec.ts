import { Injectable, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { context, trace, type Span, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { WsConfigError, WsContext, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { eventually, realClock, startApp } from '../helpers/start-app.js';

@Injectable()
class ObservedHandlers {
  @WsMessage('work')
  work(ctx: WsContext<{ n: number }>) {
    return { n: ctx.args.n };
  }

  @WsMessage('boom')
  boom(): never {
    throw new Error('boom');
  }
}

/** Records the lines each context logs, as a Nest logger. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ context: string; message: string }> = [];
  log(message: string, context = '') {
    this.lines.push({ context, message });
  }
  error() {}
  warn(message: string, context = '') {
    this.lines.push({ context, message });
  }
}

/**
 * The smallest tracer provider that records what it is given: the OpenTelemetry SDK is not a dependency, and
 * the module only talks to the API, which is what this stands behind.
 */
class RecordingProvider implements TracerProvider {
  readonly spans: Array<{ name: string; attributes: SpanOptions['attributes']; ended: boolean }> = [];
  getTracer(): Tracer {
    const spans = this.spans;
    const start = (name: string, options: SpanOptions = {}): Span => {
      const record = { name, attributes: options.attributes, ended: false };
      spans.push(record);
      const span = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
      return Object.assign(span, { end: () => void (record.ended = true) });
    };
    return {
      startSpan: start,
      startActiveSpan: ((name: string, options: SpanOptions, fn: (span: Span) => unknown) => {
        const span = start(name, options);
        return context.with(trace.setSpan(context.active(), span), () => fn(span));
      }) as Tracer['startActiveSpan'],
    };
  }
}

describe('Observation', () => {
  afterEach(closeAllClients);

  it('writes a one-line summary to the Nest logger every observeInterval with observeLog, and stops on shutdown', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [WsModule.forRoot({ observeInterval: '40ms', observeLog: true })],
      providers: [ObservedHandlers],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address();
    const client = await connect(`ws://127.0.0.1:${port}/ws`);
    await client.request('work', { n: 1 });

    const summaries = () => logger.lines.filter((l) => l.context === 'WsObserver').map((l) => l.message);
    expect(await eventually(() => summaries().some((s) => s.includes('in=1 ')))).toBe(true);
    expect(summaries().find((s) => s.includes('in=1 '))).toMatch(/^connections=1 users=0 in=1 \(\+[01]\) out=1 \(\+[01]\) bytesIn=\d+/);

    await client.close();
    await app.close();
    const count = summaries().length;
    await realClock(120); // three observeIntervals: the timer must have stopped with the app
    expect(summaries().length).toBe(count);
  });

  it('opens one span per handled message with observeTrace, ended also when the handler throws', async () => {
    const provider = new RecordingProvider();
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const running = await startApp({ imports: [WsModule.forRoot({ observeTrace: true })], providers: [ObservedHandlers] });
    try {
      const client = await connect(running.wsUrl('/ws'));
      expect((await client.request('work', { n: 2 })).data).toEqual({ n: 2 });
      expect((await client.request('boom')).code).toBe(500);
      expect(provider.spans.map(({ name, attributes, ended }) => ({ name, space: attributes?.['ws.space'], ended }))).toEqual([
        { name: 'ws work', space: 'default', ended: true },
        { name: 'ws boom', space: 'default', ended: true },
      ]);
      expect(provider.spans[0].attributes?.['ws.session']).toEqual(expect.any(String));
    } finally {
      await running.close();
      trace.disable();
    }
  });

  it('opens no span without observeTrace', async () => {
    const provider = new RecordingProvider();
    trace.setGlobalTracerProvider(provider);
    const running = await startApp({ imports: [WsModule.forRoot()], providers: [ObservedHandlers] });
    try {
      const client = await connect(running.wsUrl('/ws'));
      await client.request('work', { n: 3 });
      expect(provider.spans).toEqual([]);
    } finally {
      await running.close();
      trace.disable();
    }
  });
});

describe('The introspection options', () => {
  it.each([
    [{ introspection: 'yes' }, 'introspection'],
    [{ introspection: { path: 'ws' } }, 'introspection.path'],
    [{ introspection: { enabled: 1 } }, 'introspection.enabled'],
    [{ introspection: { route: '/x' } }, 'introspection.route'],
    [{ prometheus: { registry: {} } }, 'prometheus.registry'],
    [{ prometheus: { prefix: 'ws-' } }, 'prometheus.prefix'],
    [{ prometheus: { port: 9100 } }, 'prometheus.port'],
  ])('reject %j naming %s', async (options, name) => {
    const boot = startApp({ imports: [WsModule.forRoot(options as never)] });
    await expect(boot).rejects.toThrow(WsConfigError);
    await expect(boot).rejects.toThrow(`"${name}"`);
  });
});
