import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsMessage, WsModule, type WsModuleOptions } from 'nestjs-ws-spaces';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect, type Envelope, type TestClient } from '../helpers/ws-client.js';
import { startApp } from '../helpers/start-app.js';

const BURST = 10;

/** Sends several frames in one turn, the ways an app does: a burst of broadcasts, a reply plus pushes. */
@Injectable()
class BurstHandlers {
  /** Ten broadcasts in one turn, across the three lanes and with a raw binary frame among them, then the reply. */
  @WsMessage('burst')
  async burst(ctx: WsContext) {
    const lanes = ['high', 'low', 'normal'] as const;
    const sends = [];
    for (let i = 0; i < BURST; i++) {
      sends.push(i === 7 ? ctx.broadcastRaw(Buffer.from('raw-7')) : ctx.broadcast('tick', { i }, { priority: lanes[i % 3] }));
    }
    await Promise.all(sends);
    return { sent: BURST };
  }

  /** Pushes to its own session, then replies after a few awaits: still the same turn. */
  @WsMessage('push-then-reply')
  async pushThenReply(ctx: WsContext) {
    for (let i = 0; i < 3; i++) void ctx.push(ctx.session.id, 'pushed', { i });
    await Promise.resolve();
    await Promise.resolve();
    return 'done';
  }

  /** Pushes, then closes the session in the same turn. */
  @WsMessage('push-then-close')
  pushThenClose(ctx: WsContext) {
    for (let i = 0; i < 3; i++) void ctx.push(ctx.session.id, 'pushed', { i });
    ctx.close(4000, 'bye');
  }
}

interface WriteCounter {
  /** Syscall-level writes (`_writeGeneric`: one `write` or one `writev`) since the last reset, with their bytes. */
  writes: number[];
}

/**
 * Counts the writes the server's net.Socket of `sid` hands to libuv. Node's Writable calls `_write` for one
 * buffered chunk and `_writev` for several; both end in one `_writeGeneric`, which is one write(v) syscall.
 */
function countWrites(broker: WsBroker, sid: string): WriteCounter {
  const ws = (broker.session(sid)!.transport as unknown as { socket: { _socket: any } }).socket;
  const raw = ws._socket;
  const counter: WriteCounter = { writes: [] };
  const original = raw._writeGeneric.bind(raw);
  raw._writeGeneric = (writev: boolean, data: any, encoding: string, cb: unknown) => {
    const bytes = writev ? (data as Array<{ chunk: Buffer }>).reduce((n, c) => n + c.chunk.length, 0) : (data as Buffer).length;
    counter.writes.push(bytes);
    return original(writev, data, encoding, cb);
  };
  return counter;
}

async function burstApp(options: WsModuleOptions = {}) {
  const running = await startApp({ imports: [WsModule.forRoot(options)], providers: [MembershipHandlers, BurstHandlers] });
  const clients = await Promise.all([1, 2, 3].map(() => connect(running.wsUrl())));
  const sids = await Promise.all(clients.map(async (c) => (await c.request('whoami')).data as string));
  const broker = running.app.get(WsBroker);
  return { running, clients, sids, broker };
}

/** The next `n` frames a client gets, whatever they are. */
async function nextFrames(client: TestClient, n: number): Promise<Envelope[]> {
  const got: Envelope[] = [];
  for (let i = 0; i < n; i++) got.push(await client.next());
  return got;
}

describe('Write coalescing: the frames of one turn leave each socket in one write', () => {
  afterEach(closeAllClients);

  it('ten broadcasts in one turn are one write per socket, in send order across lanes and frame types; the reply rides along', async () => {
    const { running, clients, sids, broker } = await burstApp();
    try {
      const counters = sids.map((sid) => countWrites(broker, sid));
      clients[0].send({ name: 'burst', id: 'b1' });
      const received = await Promise.all(clients.map((c, i) => nextFrames(c, i === 0 ? BURST + 1 : BURST)));
      for (const frames of received) {
        const ticks = frames.slice(0, BURST);
        // Lanes reorder only frames that wait in a queue; sent straight, a turn's frames keep their order.
        expect(ticks.map((e) => (e.name === 'tick' ? e.data.i : e.data))).toEqual([0, 1, 2, 3, 4, 5, 6, 'raw-7', 8, 9]);
      }
      expect(received[0][BURST]).toMatchObject({ id: 'b1', data: { sent: BURST } });
      expect(counters.map((c) => c.writes.length)).toEqual([1, 1, 1]);
    } finally {
      await running.close();
    }
  });

  it('a reply plus the pushes before it (awaits in between) is one write, pushes first', async () => {
    const { running, clients, sids, broker } = await burstApp();
    try {
      const counter = countWrites(broker, sids[0]);
      clients[0].send({ name: 'push-then-reply', id: 'p1' });
      const frames = await nextFrames(clients[0], 4);
      expect(frames.map((e) => e.id ?? e.data.i)).toEqual([0, 1, 2, 'p1']);
      expect(counter.writes.length).toBe(1);
    } finally {
      await running.close();
    }
  });

  it('sends from outside any handler (a service calling the broker) are coalesced the same way', async () => {
    const { running, clients, sids, broker } = await burstApp();
    try {
      const counters = sids.map((sid) => countWrites(broker, sid));
      for (let i = 0; i < BURST; i++) void broker.broadcast('tick', { i });
      const received = await Promise.all(clients.map((c) => nextFrames(c, BURST)));
      for (const frames of received) expect(frames.map((e) => e.data.i)).toEqual([...Array(BURST).keys()]);
      expect(counters.map((c) => c.writes.length)).toEqual([1, 1, 1]);
    } finally {
      await running.close();
    }
  });

  it('a turn that sends a lot to one socket writes early, every 64 KiB, instead of holding it all', async () => {
    const { running, clients, sids, broker } = await burstApp();
    try {
      const counter = countWrites(broker, sids[0]);
      const blob = 'x'.repeat(4096);
      for (let i = 0; i < 64; i++) void broker.push(sids[0], 'big', { i, blob }); // ~260 KiB in one turn
      const frames = await nextFrames(clients[0], 64);
      expect(frames.map((e) => e.data.i)).toEqual([...Array(64).keys()]);
      expect(counter.writes.length).toBeGreaterThanOrEqual(3);
      expect(counter.writes.length).toBeLessThanOrEqual(5);
      // Every write but the last carries at least 64 KiB: coalesced up to the cap, not split per frame.
      for (const bytes of counter.writes.slice(0, -1)) expect(bytes).toBeGreaterThanOrEqual(64 * 1024);
    } finally {
      await running.close();
    }
  });

  it('a close in the same turn goes after the frames written before it', async () => {
    const { running, clients } = await burstApp();
    try {
      clients[0].send({ name: 'push-then-close' });
      const frames = await nextFrames(clients[0], 3);
      expect(frames.map((e) => e.data.i)).toEqual([0, 1, 2]);
      expect(await clients[0].closed).toMatchObject({ code: 4000, reason: 'bye' });
    } finally {
      await running.close();
    }
  });

  it('a terminate in the same turn writes what the turn held first (corked bytes are not destroyed with the socket)', async () => {
    const { running, clients, sids, broker } = await burstApp();
    try {
      for (let i = 0; i < 3; i++) void broker.push(sids[0], 'pushed', { i });
      broker.session(sids[0])!.transport.terminate();
      await clients[0].closed;
      expect(clients[0].received.filter((e) => e.name === 'pushed').map((e) => e.data.i)).toEqual([0, 1, 2]);
    } finally {
      await running.close();
    }
  });
});
