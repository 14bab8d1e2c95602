import type { INestApplication } from '@nestjs/common';
import { WsClient, WsQueueFullError, WsTimeoutError, type WsClientOptions } from '../../lib/client/index.js';
import { freePort } from '../helpers/free-port.js';
import { startCalcApp } from './client-app.js';

/** Sends made while no server listens wait in the offline queue, bounded, and go out in order once one does. */
describe('WsClient offline queue', () => {
  let port: number;
  const apps: INestApplication[] = [];
  const clients: WsClient[] = [];
  const offline = (options: WsClientOptions = {}) => {
    const ws = new WsClient(`ws://127.0.0.1:${port}/ws`, { reconnect: { minDelay: 20, maxDelay: 50 }, ...options });
    clients.push(ws);
    return ws;
  };
  /** The sums the server replied to the sends, as pushes, in the order they arrived. */
  const sums = (ws: WsClient) => {
    const seen: number[] = [];
    ws.on('calc.add', (d: { sum: number }) => seen.push(d.sum));
    return seen;
  };
  const serverUp = async () => apps.push((await startCalcApp(port)).app);

  beforeEach(async () => (port = await freePort()));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('keeps 1,000 sends by default and drops the oldest past that', async () => {
    const ws = offline();
    const seen = sums(ws);
    for (let i = 0; i < 1005; i++) expect(ws.send('calc.add', { a: i, b: 0 })).toBe(true);
    expect(ws.queued).toBe(1000);
    await serverUp();
    await vi.waitFor(() => expect(ws.state).toBe('open')); // the queue is written as the connection opens
    await ws.request('calc.add', { a: -1, b: 0 }); // a fence behind it
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 5));
  });

  it("'drop-oldest' rejects the evicted requests with WsQueueFullError and sends the rest in order", async () => {
    const ws = offline({ queue: { max: 3, policy: 'drop-oldest' } });
    const asked = [1, 2, 3, 4, 5].map((a) => ws.request('calc.add', { a, b: 0 }).catch((e: unknown) => e));
    expect(ws.queued).toBe(3);
    await serverUp();
    const outcome = await Promise.all(asked);
    expect(outcome[0]).toBeInstanceOf(WsQueueFullError);
    expect(outcome[1]).toMatchObject({ name: 'WsQueueFullError', requestName: 'calc.add', max: 3 });
    expect(outcome.slice(2)).toEqual([{ sum: 3 }, { sum: 4 }, { sum: 5 }]);
  });

  it("'drop-newest' refuses sends past the bound: send() returns false, request() rejects", async () => {
    const ws = offline({ queue: { max: 3, policy: 'drop-newest' } });
    const seen = sums(ws);
    expect([1, 2, 3, 4].map((a) => ws.send('calc.add', { a, b: 0 }))).toEqual([true, true, true, false]);
    await expect(ws.request('calc.add', { a: 9, b: 0 })).rejects.toBeInstanceOf(WsQueueFullError);
    await serverUp();
    await vi.waitFor(() => expect(ws.state).toBe('open'));
    await ws.request('calc.add', { a: -1, b: 0 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it("'error' throws from send() past the bound", async () => {
    const ws = offline({ queue: { max: 2, policy: 'error' } });
    ws.send('calc.add', { a: 1, b: 0 });
    ws.send('calc.add', { a: 2, b: 0 });
    expect(() => ws.send('calc.add', { a: 3, b: 0 })).toThrow(WsQueueFullError);
    await expect(ws.request('calc.add', { a: 4, b: 0 })).rejects.toBeInstanceOf(WsQueueFullError);
    expect(ws.queued).toBe(2);
  });

  it('max: 0 queues nothing', async () => {
    const ws = offline({ queue: { max: 0 } });
    expect(ws.send('calc.add', { a: 1, b: 0 })).toBe(false);
    expect(ws.queued).toBe(0);
    await expect(ws.request('calc.add', { a: 1, b: 0 })).rejects.toBeInstanceOf(WsQueueFullError);
  });

  it('takes a request that timed out while queued out of the queue', async () => {
    const ws = offline();
    await expect(ws.request('calc.add', { a: 1, b: 0 }, { timeout: 30 })).rejects.toBeInstanceOf(WsTimeoutError);
    expect(ws.queued).toBe(0);
  });
});
