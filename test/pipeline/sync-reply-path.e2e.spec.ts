import { Injectable, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsContext, WsHook, WsMessage, WsModule, WsRaw, WsRawContext, WsSpace } from 'nestjs-ws-spaces';
import { RawClient } from '../helpers/raw-client.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

/**
 * What happened around each reply, in order: a handler queues a microtask when it runs and the send hook notes
 * the write, so "written" before "microtask" means the reply went out before the turn's first await could resume.
 */
@Injectable()
class Timeline {
  readonly events: string[] = [];
}

@Injectable()
class LeanHandlers {
  constructor(private readonly timeline: Timeline) {}

  @WsMessage('lean.echo')
  echo(ctx: WsContext<{ n: number }>) {
    queueMicrotask(() => this.timeline.events.push(`microtask ${ctx.args.n}`));
    return ctx.args;
  }

  @WsMessage('lean.silent')
  silent(ctx: WsContext) {
    queueMicrotask(() => this.timeline.events.push(`microtask ${ctx.id}`));
  }

  @WsMessage('lean.async')
  async later(ctx: WsContext<{ n: number }>) {
    await new Promise((resolve) => setImmediate(resolve));
    return ctx.args;
  }

  @WsMessage('lean.throws')
  throws(): never {
    throw new Error('lean failure');
  }

  @WsHook('send')
  written(ctx: WsContext) {
    this.timeline.events.push(`written ${ctx.name} ${(ctx.args as { n?: number } | null)?.n ?? ''}`.trim());
  }
}

/** A space whose messages pass a receive hook: the handler is called on the async path, and still replies. */
@Injectable()
@WsSpace('hooked')
class HookedHandlers {
  @WsHook('receive')
  seen() {}

  @WsMessage('h.echo')
  echo(ctx: WsContext) {
    return ctx.args;
  }
}

describe('The lean reply path', () => {
  let running: RunningApp;
  let client: TestClient;
  let timeline: Timeline;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { hooked: '/hooked' } })],
      providers: [Timeline, LeanHandlers, HookedHandlers],
    });
    timeline = running.app.get(Timeline);
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    client = await connect(running.wsUrl());
    timeline.events.length = 0;
  });
  afterEach(closeAllClients);

  it("writes a synchronous handler's reply in the frame's own turn, before any microtask it queued", async () => {
    expect(await client.request('lean.echo', { n: 1 }, 'e1')).toMatchObject({ code: 0, name: 'lean.echo', data: { n: 1 }, id: 'e1' });
    expect(timeline.events).toEqual(['written lean.echo 1', 'microtask 1']);
  });

  it('acknowledges a synchronous handler that returned nothing in the same turn', async () => {
    expect(await client.request('lean.silent', undefined, 's1')).toMatchObject({ code: 0, name: 'lean.silent', data: null, id: 's1' });
    expect(timeline.events).toEqual(['written lean.silent', 'microtask s1']);
  });

  it('keeps the order of the replies of synchronous handlers, one per request', async () => {
    for (let n = 0; n < 50; n++) client.send({ name: 'lean.echo', id: n, data: { n } });
    // Everything before the last reply, which `takeUntil` stops at.
    const replies = await client.takeUntil((e) => e.id === 49);
    expect(replies.map((e) => e.id)).toEqual([...Array(49).keys()]);
  });

  it('still runs an async handler, replies once per request and in order', async () => {
    for (let n = 0; n < 20; n++) client.send({ name: 'lean.async', id: n, data: { n } });
    const replies = await client.takeUntil((e) => e.id === 19);
    expect(replies.map((e) => [e.id, e.data])).toEqual([...Array(19).keys()].map((n) => [n, { n }]));
  });

  it('answers a synchronous throw with one error reply', async () => {
    expect(await client.request('lean.throws', undefined, 't1')).toMatchObject({ code: 500, name: 'lean.throws', id: 't1' });
    expect(await client.request('lean.echo', { n: 2 }, 'after')).toMatchObject({ id: 'after', data: { n: 2 } });
  });

  it('takes the async path when a receive hook is configured, and still replies', async () => {
    const hooked = await connect(running.wsUrl('/hooked'));
    expect(await hooked.request('h.echo', { n: 3 }, 'h1')).toMatchObject({ code: 0, name: 'h.echo', data: { n: 3 }, id: 'h1' });
  });
});

/** A guard the app installs with `useGlobalGuards()`, after the module is built: the lean path must not skip it. */
class DenyEverything implements CanActivate {
  calls = 0;
  canActivate(_context: ExecutionContext): boolean {
    this.calls++;
    return false;
  }
}

describe('The lean reply path with a global guard from useGlobalGuards()', () => {
  let app: INestApplication;
  const guard = new DenyEverything();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot()], providers: [Timeline, LeanHandlers] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalGuards(guard);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());
  afterEach(closeAllClients);

  it('runs the global guard around a handler that has no enhancer of its own', async () => {
    const address = app.getHttpServer().address();
    const client = await connect(`ws://127.0.0.1:${address.port}/ws`);
    expect(await client.request('lean.echo', { n: 1 }, 'g1')).toMatchObject({ code: 403, id: 'g1' });
    expect(guard.calls).toBe(1);
  });
});

/** A raw space with nothing asynchronous configured: its frames take the lean path too. */
@Injectable()
@WsSpace('lraw')
class LeanRaw {
  readonly events: string[] = [];

  @WsRaw()
  echo(ctx: WsRawContext) {
    queueMicrotask(() => this.events.push(`microtask ${String(ctx.data)}`));
    return ctx.data;
  }

  @WsHook('send')
  written(ctx: WsContext) {
    this.events.push(`written ${String(ctx.args)}`);
  }
}

describe('The lean reply path in a raw space', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot({ spaces: { lraw: { path: '/lraw', raw: true } } })], providers: [LeanRaw] });
  });
  afterAll(() => running.close());

  it("writes what a synchronous @WsRaw() handler returns in the frame's turn, and in order", async () => {
    const client = await RawClient.connect(running.wsUrl('/lraw'));
    client.send('one');
    expect(await client.next()).toEqual({ binary: false, data: 'one' });
    expect(running.app.get(LeanRaw).events).toEqual(['written one', 'microtask one']);
    for (let n = 0; n < 20; n++) client.send(`f${n}`);
    const frames = [];
    for (let n = 0; n < 20; n++) frames.push((await client.next()).data);
    expect(frames).toEqual([...Array(20).keys()].map((n) => `f${n}`));
    await client.terminate();
  });
});
