import { WebSocketServer } from 'ws';
import { WsClient, WsRequestError } from '../../lib/client/index.js';

/**
 * The client in a space with an envelope dialect. Until the server's `envelope` space option lands on main, the
 * peer is a go-eyas/wsrv-style stand-in: `{cmd, seqno, data}` in, `{cmd, seqno, status, msg, data}` out.
 */
describe('WsClient envelope dialects', () => {
  let server: WebSocketServer;
  let url: string;
  const inbound: unknown[] = [];
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    server.on('connection', (socket) => {
      socket.on('message', (raw) => {
        if (raw.toString() === '') return;
        const m = JSON.parse(raw.toString());
        inbound.push(m);
        if (m.cmd === 'add') socket.send(JSON.stringify({ cmd: 'add', seqno: m.seqno, status: 0, msg: 'ok', data: { sum: m.data.a + m.data.b } }));
        else if (m.cmd === 'tick') socket.send(JSON.stringify({ cmd: 'ticked', status: 0, msg: 'ok', data: { n: 1 } }));
        else socket.send(JSON.stringify({ cmd: m.cmd, seqno: m.seqno, status: 404, msg: 'unknown message', data: null }));
      });
    });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("'wsrv' writes cmd/seqno/data and reads status/msg, for replies, errors and pushes", async () => {
    const ws = new WsClient(url, { envelope: 'wsrv' });
    try {
      await expect(ws.request('add', { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
      expect(inbound.at(-1)).toEqual({ cmd: 'add', data: { a: 2, b: 3 }, seqno: 1 });
      const error = await ws.request('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WsRequestError);
      expect(error).toMatchObject({ code: 404, text: 'unknown message', requestName: 'nope' });
      const pushed = new Promise((resolve) => ws.on('ticked', resolve));
      ws.send('tick');
      expect(await pushed).toEqual({ n: 1 });
    } finally {
      await ws.close();
    }
  });

  it('takes field names as the server option does', async () => {
    const ws = new WsClient(url, { envelope: { name: 'cmd', id: 'seqno', code: 'status', text: 'msg', time: false } });
    try {
      await expect(ws.request('add', { a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
    } finally {
      await ws.close();
    }
  });
});
