import type { INestApplication } from '@nestjs/common';
import { WsClient, WsRequestError } from '../../lib/client/index.js';
import { startCalcApp } from './client-app.js';

/** The client in spaces with an envelope dialect (the server's space option `envelope`), given the same value. */
describe('WsClient envelope dialects', () => {
  let app: INestApplication;
  let url: (path?: string) => string;
  const clients: WsClient[] = [];
  beforeAll(async () => {
    ({ app, url } = await startCalcApp(0, {
      spaces: {
        legacy: { path: '/legacy', envelope: 'wsrv' },
        named: { path: '/named', envelope: { name: 'op', id: 'ref', code: 'status', text: 'message', data: 'body', time: false } },
      },
    }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => app.close());

  it("'wsrv': requests, typed errors and pushes in {cmd, seqno, status, msg, data}", async () => {
    const ws = new WsClient(url('/legacy'), { envelope: 'wsrv' });
    clients.push(ws);
    const raw: unknown[] = [];
    ws.on('*', (_d, m) => raw.push(m));
    await expect(ws.request('calc.add', { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
    const error = await ws.request('err.deny').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsRequestError);
    expect(error).toMatchObject({ code: 403, text: 'not you', requestName: 'err.deny' });
    const ticks: number[] = [];
    ws.on('calc.tick', (d: { n: number }) => ticks.push(d.n));
    await ws.request('calc.ticks', { n: 3 });
    expect(ticks).toEqual([0, 1, 2]);
    expect(raw[0]).toEqual({ code: 0, name: 'calc.add', data: { sum: 5 }, text: 'ok', id: 1 }); // wsrv: no time
  });

  it('field names, as the server option takes them', async () => {
    const ws = new WsClient(url('/named'), { envelope: { name: 'op', id: 'ref', code: 'status', text: 'message', data: 'body', time: false } });
    clients.push(ws);
    await expect(ws.request('calc.add', { a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
    await expect(ws.request('err.fail')).rejects.toMatchObject({ code: 1, text: 'cannot do that', data: { why: 'because' } });
  });

  it('a client left on the default envelope gets nothing it can read there (the option must match)', async () => {
    const ws = new WsClient(url('/legacy'), { timeout: 300 });
    clients.push(ws);
    await expect(ws.request('calc.add', { a: 1, b: 1 })).rejects.toMatchObject({ name: 'WsTimeoutError' });
  });
});
