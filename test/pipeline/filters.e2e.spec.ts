import { WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { CustomErrorHandlers, FilterChain } from '../fixtures/hooks.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('Filters and error handlers', () => {
  let running: RunningApp;
  let chain: FilterChain;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { custom: '/custom' } })],
      providers: [FilterChain, CustomErrorHandlers],
    });
    chain = running.app.get(FilterChain);
  });
  afterAll(() => running.close());
  beforeEach(() => {
    chain.order.length = 0;
  });
  afterEach(closeAllClients);

  it('runs the filters in order around the handler', async () => {
    const client = await connect(running.wsUrl());
    expect((await client.request('f.ok')).data).toBe('ok');
    expect(chain.order).toEqual(['first', 'second', 'handler', 'first:after']);
  });

  it('ends the chain when a filter does not call next(); a request is still acknowledged, once', async () => {
    const client = await connect(running.wsUrl());
    client.send({ name: 'f.stop', id: 1 });
    // The fence is an f.stop too: it takes the same path, after the first one.
    expect(await client.fence('f.stop')).toEqual([expect.objectContaining({ code: 0, name: 'f.stop', data: null, text: '', id: 1 })]);
    expect(chain.order).toEqual(['first', 'first']);
    client.send({ name: 'f.stop' }); // without an id: nothing
    expect(await client.fence('f.stop')).toEqual([]);
  });

  it('answers ctx.deny() with 403 and its text', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('f.deny', {}, 'd')).toMatchObject({ code: 403, name: 'f.deny', text: 'refused by a filter', id: 'd' });
  });

  it('answers ctx.invalid() with 400, its text and data', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('f.invalid')).toMatchObject({ code: 400, text: 'bad by a filter', data: { field: 'x' } });
  });

  it('answers ctx.fail() with code 1, its text and data', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('f.fail')).toMatchObject({ code: 1, text: 'it did not work', data: { retry: true } });
  });

  it('answers ctx.error() with 500 and no detail', async () => {
    const client = await connect(running.wsUrl());
    const reply = await client.request('f.error');
    expect(reply).toMatchObject({ code: 500, text: 'internal error', data: null });
    expect(JSON.stringify(reply)).not.toContain('hidden cause');
  });

  it('contains a throwing filter: 500 without the detail, counted, and the connection goes on', async () => {
    const metrics = running.app.get(WsMetrics);
    const before = metrics.snapshot().total.handlerErrors;
    const client = await connect(running.wsUrl());
    const reply = await client.request('f.throw', {}, 't');
    expect(reply).toMatchObject({ code: 500, name: 'f.throw', id: 't' });
    expect(JSON.stringify(reply)).not.toContain('secret detail');
    expect(metrics.snapshot().total.handlerErrors).toBe(before + 1);
    expect((await client.request('f.ok')).data).toBe('ok');
  });

  it('still contains a handler\'s error when a filter did not await next()', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('f.unawaited')).toMatchObject({ code: 500, name: 'f.unawaited' });
    expect((await client.request('f.ok')).data).toBe('ok');
  });

  it('routes invalid input and errors through the space\'s own handlers', async () => {
    const client = await connect(running.wsUrl('/custom'));
    expect(await client.request('f.invalid')).toMatchObject({ code: 400, name: 'custom.invalid', data: { why: 'bad by a filter' } });
    expect(await client.request('no.such.message')).toMatchObject({ code: 400, name: 'custom.invalid', data: { why: 'unknown message "no.such.message"' } });
    expect(await client.request('f.error')).toMatchObject({ code: 500, name: 'custom.error', data: { cause: 'hidden cause' } });
  });
});
