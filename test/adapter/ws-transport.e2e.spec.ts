import * as ws from 'ws';
import { WsBroker, WsModule } from 'nestjs-ws-spaces';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp } from '../helpers/start-app.js';

describe('WsTransport: a broadcast framed once', () => {
  afterEach(closeAllClients);

  it.each([
    ['frames once and hands the frame to every socket when compression is off', false, true],
    ['falls back to ws.send per socket when permessage-deflate is on', true, false],
  ])('%s', async (_case, compression, framesOnce) => {
    const running = await startApp({ imports: [WsModule.forRoot({ compression, compressThreshold: 0 })], providers: [MembershipHandlers] });
    try {
      const clients = await Promise.all([1, 2, 3].map(() => connect(running.wsUrl(), { perMessageDeflate: compression })));
      const sids = await Promise.all(clients.map(async (c) => (await c.request('whoami')).data as string));
      const broker = running.app.get(WsBroker);
      // The transport takes the ready-made frame path only where it is safe; observe which one it chose.
      const paths = sids.map((sid) => (broker.session(sid)!.transport as unknown as { sender?: unknown }).sender !== undefined);
      expect(paths).toEqual([framesOnce, framesOnce, framesOnce]);

      const payload = { text: 'é'.repeat(200), n: [1, 2, 3] };
      for (let i = 0; i < 3; i++) await broker.broadcast('shared', { ...payload, i });
      for (const client of clients) {
        const got = [];
        for (let i = 0; i < 3; i++) got.push(await client.nextWhere((e) => e.name === 'shared'));
        expect(got.map((e) => e.data)).toEqual([0, 1, 2].map((i) => ({ ...payload, i })));
      }
      // Unicast after a broadcast must not reuse the broadcast's frame.
      await broker.push(sids[0], 'solo', { only: true });
      expect((await clients[0].nextWhere((e) => e.name === 'solo')).data).toEqual({ only: true });
    } finally {
      await running.close();
    }
  });

  // WsTransport feature-detects these and falls back without them, so a `ws` upgrade that drops one would only make
  // sends slower, silently. This spec is what notices.
  it('finds the private ws members its fast paths use (Sender.frame, _sender.sendFrame, _sender._state, _socket.cork)', async () => {
    const running = await startApp({ imports: [WsModule.forRoot()], providers: [MembershipHandlers] });
    try {
      const client = await connect(running.wsUrl());
      const sid = (await client.request('whoami')).data as string;
      const socket = (running.app.get(WsBroker).session(sid)!.transport as unknown as { socket: object }).socket;
      const internals = socket as { _sender?: { sendFrame?: unknown; _state?: unknown }; _socket?: { cork?: unknown; uncork?: unknown } };
      expect(typeof (ws as unknown as { Sender?: { frame?: unknown } }).Sender?.frame, 'ws.Sender.frame').toBe('function');
      expect(typeof internals._sender?.sendFrame, 'ws socket._sender.sendFrame').toBe('function');
      expect(typeof internals._sender?._state, 'ws socket._sender._state').toBe('number');
      expect(typeof internals._socket?.cork, 'ws socket._socket.cork').toBe('function');
      expect(typeof internals._socket?.uncork, 'ws socket._socket.uncork').toBe('function');
    } finally {
      await running.close();
    }
  });

  it('frames each broadcast once, and hands every recipient that one frame', async () => {
    const running = await startApp({ imports: [WsModule.forRoot()], providers: [MembershipHandlers] });
    try {
      const clients = await Promise.all([1, 2, 3].map(() => connect(running.wsUrl())));
      const sids = await Promise.all(clients.map(async (c) => (await c.request('whoami')).data as string));
      const broker = running.app.get(WsBroker);
      // Records the frame (the list of buffers) each socket's sender is handed.
      const handed: unknown[][] = sids.map(() => []);
      sids.forEach((sid, i) => {
        const sender = (broker.session(sid)!.transport as unknown as { sender: { sendFrame(list: unknown, cb?: unknown): void } }).sender;
        const sendFrame = sender.sendFrame.bind(sender);
        sender.sendFrame = (list, cb) => {
          handed[i].push(list);
          sendFrame(list, cb);
        };
      });
      await broker.broadcast('first', { n: 1 });
      await broker.broadcast('second', { n: 2 });
      for (const client of clients) {
        expect((await client.nextWhere((e) => e.name === 'first')).data).toEqual({ n: 1 });
        expect((await client.nextWhere((e) => e.name === 'second')).data).toEqual({ n: 2 });
      }
      expect(handed.map((frames) => frames.length)).toEqual([2, 2, 2]);
      expect(handed[1][0]).toBe(handed[0][0]);
      expect(handed[2][0]).toBe(handed[0][0]);
      expect(handed[1][1]).toBe(handed[0][1]);
      expect(handed[0][1]).not.toBe(handed[0][0]);
    } finally {
      await running.close();
    }
  });
});
