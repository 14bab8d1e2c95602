import type { INestApplication } from '@nestjs/common';
import { WsClient, WsRequestError, type WsStateChange } from '../../lib/client/index.js';
import { backoffDelay, RECONNECT_DEFAULTS } from '../../lib/client/backoff.js';
import { startCalcApp } from './client-app.js';

describe('WsClient reconnection', () => {
  const apps: INestApplication[] = [];
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('comes back after the server restarts on the same port, and sends what was asked meanwhile', async () => {
    const first = await startCalcApp();
    const ws = new WsClient(first.url(), { reconnect: { minDelay: 50, maxDelay: 200 } });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    await ws.request('calc.add', { a: 1, b: 1 });

    // Shutdown: a request that arrives once it began is answered 503, typed like any other code.
    const running = ws.request('calc.slow', { ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = first.app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await ws.request('calc.add', { a: 2, b: 2 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WsRequestError);
    expect(late).toMatchObject({ code: 503 });
    await expect(running).resolves.toEqual({ waited: 300 }); // the handler that was running got its grace
    await closing;
    await vi.waitFor(() => expect(states.at(-1)?.state).toBe('reconnecting'));
    expect(states.find((s) => s.state === 'reconnecting')).toMatchObject({ code: 1001 });

    // While the server is down: the request waits in the offline queue, and attempts keep failing (1006).
    const queued = ws.request('calc.add', { a: 5, b: 5 }, { timeout: 15_000 });
    expect(ws.queued).toBe(1);
    await vi.waitFor(() => expect(states.filter((s) => s.state === 'reconnecting').length).toBeGreaterThan(2), { timeout: 5000 });

    const second = await startCalcApp(first.port);
    apps.push(second.app);
    await expect(queued).resolves.toEqual({ sum: 10 });
    expect(ws.state).toBe('open');
    expect(ws.queued).toBe(0);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open', ...states.slice(2, -1).map(() => 'reconnecting'), 'open']);
    await expect(ws.request('calc.add', { a: 3, b: 4 })).resolves.toEqual({ sum: 7 });
  });

  it('with reconnect: false, reports closed with the close code and rejects what was queued', async () => {
    const server = await startCalcApp();
    apps.push(server.app);
    const ws = new WsClient(server.url(), { reconnect: false });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    await ws.request('calc.hangup'); // the server closes the session with 4001 a moment later
    await vi.waitFor(() => expect(ws.state).toBe('closed'));
    expect(states.at(-1)).toEqual({ state: 'closed', code: 4001, reason: 'hung up' });
    expect(ws.send('calc.add', { a: 1, b: 1 })).toBe(false);
  });

  it('gives up after `retries` failed attempts', async () => {
    const server = await startCalcApp();
    const port = server.port;
    await server.app.close();
    const ws = new WsClient(`ws://127.0.0.1:${port}/ws`, { reconnect: { minDelay: 10, maxDelay: 20, retries: 3 } });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    const asked = ws.request('calc.add', { a: 1, b: 1 }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(ws.state).toBe('closed'), { timeout: 5000 });
    expect(states.map((s) => s.state)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting', 'closed']);
    expect(await asked).toMatchObject({ name: 'WsDisconnectedError', requestName: 'calc.add' });
  });
});

describe('backoffDelay', () => {
  const options = { ...RECONNECT_DEFAULTS, minDelay: 100, maxDelay: 1000, factor: 2, jitter: 0.5 };

  it('doubles from minDelay up to maxDelay without jitter', () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(options, n, none))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('takes up to `jitter` of each delay off at random', () => {
    expect(backoffDelay(options, 2, () => 1)).toBe(200);
    expect(backoffDelay(options, 2, () => 0.5)).toBe(300);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(options, 3)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(400), expect(d).toBeLessThanOrEqual(800);
  });
});
