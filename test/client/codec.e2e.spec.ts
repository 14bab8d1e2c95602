import type { INestApplication } from '@nestjs/common';
import * as msgpack from '@msgpack/msgpack';
import { WsMetrics } from 'nestjs-ws-spaces';
import { WsClient, WsRequestError } from '../../lib/client/index.js';
import { startCalcApp } from './client-app.js';

describe('WsClient codecs', () => {
  let app: INestApplication;
  let url: (path?: string) => string;
  const clients: WsClient[] = [];
  beforeAll(async () => ({ app, url } = await startCalcApp(0, { codec: 'msgpack' })));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => app.close());

  it('speaks msgpack with the @msgpack/msgpack module as its codec: requests, pushes and typed errors', async () => {
    const ws = new WsClient(url(), { codec: msgpack });
    clients.push(ws);
    const ticks: number[] = [];
    ws.on('calc.tick', (d: { n: number }) => ticks.push(d.n));
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => ws.request('calc.add', { a: i, b: 0.5 })));
    expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => ({ sum: i + 0.5 })));
    await ws.request('calc.ticks', { n: 3 });
    expect(ticks).toEqual([0, 1, 2]);
    const error = await ws.request('err.fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsRequestError);
    expect(error).toMatchObject({ code: 1, text: 'cannot do that', data: { why: 'because' } });
    expect(app.get(WsMetrics).snapshot().total.parseFailures).toBe(0);

    // The codec is what made it work: the same request as JSON is a frame the msgpack server cannot read.
    const json = new WsClient(url(), { timeout: 300 });
    clients.push(json);
    await expect(json.request('calc.add', { a: 1, b: 2 })).rejects.toMatchObject({ name: 'WsTimeoutError' });
    expect(app.get(WsMetrics).snapshot().total.parseFailures).toBe(1);
  });

  it('refuses a codec that is not one, naming the option', () => {
    expect(() => new WsClient(url(), { codec: 'msgpack' as never })).toThrow(/codec must be 'json' or an object with encode/);
  });
});
