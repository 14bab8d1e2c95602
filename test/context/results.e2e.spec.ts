import { Injectable } from '@nestjs/common';
import { WsContext, WsHandler, WsMessage, WsMetrics, WsModule, WsServerError, WsSpace } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { RecordingLogger, startApp, type RunningApp } from '../helpers/start-app.js';

/** Each message ends with one of the context's results, with the app's own text and data. */
@Injectable()
class ResultHandlers {
  @WsMessage('r.deny')
  deny(ctx: WsContext) {
    ctx.deny('members only', { room: 'lobby' });
  }

  @WsMessage('r.invalid')
  invalid(ctx: WsContext) {
    ctx.invalid('room is required', { field: 'room' });
  }

  @WsMessage('r.fail')
  fail(ctx: WsContext) {
    ctx.fail('card declined', { retry: false });
  }

  @WsMessage('r.error')
  error(ctx: WsContext) {
    ctx.error('storage unavailable', { retryIn: 5 });
  }

  @WsMessage('r.error.bare')
  errorBare(ctx: WsContext) {
    ctx.error();
  }

  @WsMessage('r.error.cause')
  errorCause(ctx: WsContext) {
    ctx.error(new Error('connection string with a password'));
  }

  @WsMessage('r.throw')
  throws(): never {
    throw new Error('uncaught secret detail');
  }

  @WsMessage('r.answer')
  async answer(ctx: WsContext) {
    await ctx.answer('pay.result', { order: 7 }, { code: 1, text: 'card declined' });
    return 'not sent: the handler answered already';
  }
}

/** The `custom` space's error handler: it sees the deliberate 500 with the app's text. */
@Injectable()
@WsSpace('custom')
class CustomErrorHandler {
  @WsHandler('error')
  error(ctx: WsContext, cause: unknown) {
    const deliberate = cause instanceof WsServerError;
    return ctx.reply('custom.error', { deliberate, text: (cause as Error).message }, { code: 500, text: 'from the handler' });
  }
}

describe('Results as the app gives them: deny, invalid, fail, error, answer', () => {
  let running: RunningApp;
  let client: TestClient;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    running = await startApp(
      { imports: [WsModule.forRoot({ spaces: { custom: '/custom' } })], providers: [ResultHandlers, CustomErrorHandler] },
      logger,
    );
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    logger.lines.error.length = 0;
    client = await connect(running.wsUrl());
  });
  afterEach(closeAllClients);

  it.each([
    ['r.deny', 403, 'members only', { room: 'lobby' }],
    ['r.invalid', 400, 'room is required', { field: 'room' }],
    ['r.fail', 1, 'card declined', { retry: false }],
    ['r.error', 500, 'storage unavailable', { retryIn: 5 }],
  ])('%s sends code %i with the app\'s text and data, and the request id', async (name, code, text, data) => {
    expect(await client.request(name, {}, `id-${name}`)).toEqual({ code, name, data, text, time: expect.any(Number), id: `id-${name}` });
  });

  it('does not log a deliberate 500, and counts it in handlerErrors', async () => {
    const metrics = running.app.get(WsMetrics);
    const before = metrics.snapshot().total.handlerErrors;
    expect(await client.request('r.error.bare', {}, 'b')).toMatchObject({ code: 500, text: 'internal error', data: null, id: 'b' });
    await client.request('r.error', {}, 'e');
    expect(metrics.snapshot().total.handlerErrors).toBe(before + 2);
    expect(logger.lines.error).toEqual([]);
  });

  it('still masks ctx.error(cause) given an Error: logged, never sent', async () => {
    const reply = await client.request('r.error.cause', {}, 'c');
    expect(reply).toMatchObject({ code: 500, text: 'internal error', data: null, id: 'c' });
    expect(JSON.stringify(reply)).not.toContain('password');
    expect(logger.lines.error.join('\n')).toContain('connection string with a password');
  });

  it('masks an uncaught exception as 500 "internal error" and logs it', async () => {
    const reply = await client.request('r.throw', {}, 't');
    expect(reply).toMatchObject({ code: 500, name: 'r.throw', text: 'internal error', data: null, id: 't' });
    expect(JSON.stringify(reply)).not.toContain('secret');
    expect(logger.lines.error.join('\n')).toContain('uncaught secret detail');
  });

  it('answers with a result code and text under the given name, with the id, once', async () => {
    expect(await client.request('r.answer', {}, 42)).toEqual({
      code: 1,
      name: 'pay.result',
      data: { order: 7 },
      text: 'card declined',
      time: expect.any(Number),
      id: 42,
    });
    expect(await client.fence('r.answer')).toEqual([]); // the fence takes the same path: a second reply would be ahead
  });

  it('hands the deliberate 500 to the space\'s error handler with its text', async () => {
    const custom = await connect(running.wsUrl('/custom'));
    expect(await custom.request('r.error', {}, 'h')).toMatchObject({
      code: 500,
      name: 'custom.error',
      data: { deliberate: true, text: 'storage unavailable' },
      id: 'h',
    });
  });
});
