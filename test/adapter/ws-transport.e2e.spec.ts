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
});
