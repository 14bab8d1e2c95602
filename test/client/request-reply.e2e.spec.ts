import type { INestApplication } from '@nestjs/common';
import { WsBroker } from 'nestjs-ws-spaces';
import { WsClient, WsDisconnectedError, WsRequestError, WsTimeoutError, type WsClientMessage } from '../../lib/client/index.js';
import { startCalcApp } from './client-app.js';

describe('WsClient against a real server: requests and pushes', () => {
  let app: INestApplication;
  let url: (path?: string) => string;
  const clients: WsClient[] = [];
  const client = (options?: ConstructorParameters<typeof WsClient>[1]) => {
    const c = new WsClient(url(), options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => ({ app, url } = await startCalcApp()));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => app.close());

  describe('#request', () => {
    it('resolves with the reply data, queued until the connection opens', async () => {
      const ws = client();
      expect(ws.state).toBe('connecting');
      await expect(ws.request('calc.add', { a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
      expect(ws.state).toBe('open');
    });

    it('correlates 1,000 concurrent requests, each with its own reply', async () => {
      const ws = client();
      const asked = Array.from({ length: 1000 }, (_, i) => ({ a: i, b: i * 1000 }));
      const replies = await Promise.all(asked.map((args) => ws.request('calc.add', args)));
      expect(replies).toEqual(asked.map(({ a, b }) => ({ sum: a + b })));
    });

    it('resolves null for an acknowledged request whose handler returned nothing', async () => {
      const ws = client();
      await expect(ws.request('calc.hangup')).resolves.toBeNull();
    });

    it('rejects with WsTimeoutError after the timeout, and discards the reply that comes later', async () => {
      const ws = client();
      const seen: WsClientMessage[] = [];
      ws.on('*', (_data, message) => seen.push(message));
      const late = ws.request('calc.slow', { ms: 300 }, { timeout: 50 });
      await expect(late).rejects.toBeInstanceOf(WsTimeoutError);
      await expect(late).rejects.toMatchObject({ requestName: 'calc.slow', timeout: 50 });
      // The late reply arrives (the wiretap sees it) and changes nothing; the connection goes on.
      await vi.waitFor(() => expect(seen.map((m) => m.name)).toContain('calc.slow'), { timeout: 10_000 });
      await expect(ws.request('calc.add', { a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
    });

    it.each([
      ['err.fail', undefined, 1, 'cannot do that', { why: 'because' }],
      ['calc.add', { a: 'x', b: 2 }, 400, 'invalid arguments', [{ field: 'a', constraint: 'isNumber', message: expect.any(String) }]],
      ['err.deny', undefined, 403, 'not you', null],
      ['no.such', undefined, 404, expect.any(String), null],
      ['err.throw', undefined, 500, 'internal error', null],
    ])('rejects %s with a WsRequestError carrying code, text and data', async (name, data, code, text, errorData) => {
      const ws = client();
      const error = await ws.request(name, data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WsRequestError);
      expect(error).toMatchObject({ requestName: name, code, text, data: errorData });
      expect((error as Error).message).toContain(`${name} failed with ${code}`);
    });

    it('rejects a rate-limited request with code 429', async () => {
      const ws = client();
      await ws.request('err.rate');
      await expect(ws.request('err.rate')).rejects.toMatchObject({ name: 'WsRequestError', code: 429 });
    });

    it('rejects with WsDisconnectedError when the connection drops with the request in flight', async () => {
      const ws = client({ reconnect: false });
      await ws.request('calc.add', { a: 0, b: 0 });
      const inFlight = ws.request('calc.slow', { ms: 2000 });
      const sid = [...app.get(WsBroker).sessions()][0].id;
      app.get(WsBroker).close(sid, 4002, 'bye');
      const error = await inFlight.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WsDisconnectedError);
      expect(error).toMatchObject({ requestName: 'calc.slow', closeCode: 4002, reason: 'bye' });
      expect(ws.state).toBe('closed');
      await expect(ws.request('calc.add', { a: 1, b: 1 })).rejects.toBeInstanceOf(WsDisconnectedError);
    });

    it('rejects what is still waiting with WsDisconnectedError on close()', async () => {
      const ws = client();
      await ws.request('calc.add', { a: 0, b: 0 });
      const inFlight = ws.request('calc.slow', { ms: 2000 }).catch((e: unknown) => e);
      await ws.close();
      expect(await inFlight).toBeInstanceOf(WsDisconnectedError);
      expect(ws.state).toBe('closed');
    });
  });

  describe('#on and #send', () => {
    it('hands pushes to the handlers of their name, in order, until unsubscribed', async () => {
      const ws = client();
      const ticks: number[] = [];
      const off = ws.on('calc.tick', (data: { n: number }) => ticks.push(data.n));
      await expect(ws.request('calc.ticks', { n: 50 })).resolves.toEqual({ sent: 50 });
      expect(ticks).toEqual(Array.from({ length: 50 }, (_, n) => n));
      off();
      await ws.request('calc.ticks', { n: 3 });
      expect(ticks).toHaveLength(50);
    });

    it('sends without an id: the handler runs and its reply comes back as a push', async () => {
      const ws = client();
      const sums: unknown[] = [];
      ws.on('calc.add', (data) => sums.push(data));
      expect(ws.send('calc.add', { a: 20, b: 22 })).toBe(true);
      await ws.request('calc.add', { a: 0, b: 0 }); // a fence: the send's reply came before this one
      expect(sums).toEqual([{ sum: 42 }]);
    });

    it('keeps calling the other handlers when one throws', async () => {
      const ws = client();
      const errors: unknown[] = [];
      const previous = (globalThis as { reportError?: unknown }).reportError;
      (globalThis as { reportError?: unknown }).reportError = (e: unknown) => errors.push(e);
      try {
        const seen: number[] = [];
        ws.on('calc.tick', () => {
          throw new Error('handler bug');
        });
        ws.on('calc.tick', (d: { n: number }) => seen.push(d.n));
        await ws.request('calc.ticks', { n: 2 });
        expect(seen).toEqual([0, 1]);
        expect(errors).toHaveLength(2);
      } finally {
        (globalThis as { reportError?: unknown }).reportError = previous;
      }
    });
  });
});
