import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type Delivery, WsBroker, WsContext, WsMessage, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { MAX_BATCH_PACKETS } from '../../lib/cluster/dispatch-packet.js';
import { Login } from '../fixtures/login.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
class Burst {
  /** `count` broadcasts in one handler turn: every one is sent before any is awaited. */
  @WsMessage('burst')
  async burst(ctx: WsContext<{ count: number }>) {
    const sends: Promise<Delivery>[] = [];
    for (let i = 0; i < ctx.args.count; i++) sends.push(ctx.broadcast('tick', { i }));
    const deliveries = await Promise.all(sends);
    return { failed: deliveries.filter((d) => d.firstError !== undefined || d.nodes === 0).length };
  }
}

const PREFIX = `batch${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;
const FENCE = `${PREFIX}:fence`;

/** A message as a subscriber of the shared channel sees it: Nest's framing around a packet or a batch. */
interface Observed {
  data: { op: string; msg?: string; packets?: { msg?: string }[] };
}

describe('Batches between nodes: a turn\'s packets to a channel in one Redis message', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let publisher: Redis;
  const counter = (app: RunningApp, name: 'seqGaps' | 'clusterRejected' | 'clusterReceived') => app.app.get(WsMetrics).snapshot().total[name];

  beforeAll(async () => {
    redis = await TestRedis.start();
    const options = { redis: { url: redis.url, keyPrefix: PREFIX } };
    [a, b] = await Promise.all([1, 2].map(() => startApp({ imports: [WsModule.forRoot(options)], providers: [Burst, Login] })));
    publisher = new Redis(redis.port, '127.0.0.1');
    await redis.subscribed({ [SHARED]: 2 });
  }, 30_000);

  afterAll(async () => {
    publisher?.disconnect();
    await closeAllClients();
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  }, 30_000);

  afterEach(closeAllClients);

  /** A subscriber of its own on the shared channel: what Redis carried, as messages. */
  async function observe(): Promise<{ messages: Observed[]; fenced: () => Promise<void>; stop: () => void }> {
    const observer = new Redis(redis.port, '127.0.0.1');
    const messages: Observed[] = [];
    let fences = 0;
    observer.on('message', (channel: string, message: string) => {
      if (channel === FENCE) fences++;
      else messages.push(JSON.parse(message));
    });
    await observer.subscribe(SHARED, FENCE);
    return {
      messages,
      // A publish Redis runs after the node's: the observer has every earlier message once it hears this.
      fenced: async () => {
        const seen = fences;
        await redis.publish(FENCE);
        expect(await eventually(() => fences > seen)).toBe(true);
      },
      stop: () => observer.disconnect(),
    };
  }

  const carriesTick = ({ data }: Observed) => data.msg === 'tick' || data.packets?.some((p) => p.msg === 'tick') === true;

  it('carries 200 broadcasts of one handler turn as a handful of messages, delivered in order without a gap', async () => {
    const onB = await connect(b.wsUrl());
    const sender = await connect(a.wsUrl());
    const observer = await observe();
    const gaps = counter(b, 'seqGaps');
    const received = counter(b, 'clusterReceived');
    try {
      expect((await sender.request('burst', { count: 200 })).data).toEqual({ failed: 0 });
      for (let i = 0; i < 200; i++) expect((await onB.nextWhere((e) => e.name === 'tick')).data).toEqual({ i });
      await observer.fenced();
      const ticks = observer.messages.filter(carriesTick);
      expect(ticks.length).toBe(Math.ceil(200 / MAX_BATCH_PACKETS));
      expect(ticks.every(({ data }) => data.op === 'batch')).toBe(true);
      expect(ticks.reduce((sum, { data }) => sum + data.packets!.length, 0)).toBe(200);
      expect(counter(b, 'clusterReceived') - received).toBe(200);
      expect(counter(b, 'seqGaps')).toBe(gaps);
    } finally {
      observer.stop();
    }
  });

  it('still sends a lone packet as itself', async () => {
    const onB = await connect(b.wsUrl());
    const sender = await connect(a.wsUrl());
    const observer = await observe();
    try {
      expect((await sender.request('burst', { count: 1 })).data).toEqual({ failed: 0 });
      expect((await onB.nextWhere((e) => e.name === 'tick')).data).toEqual({ i: 0 });
      await observer.fenced();
      // Presence packets (a node's first sync announces itself) may share the channel: only the tick is looked at.
      const ticks = observer.messages.filter(carriesTick).map(({ data }) => data);
      expect(ticks).toEqual([{ op: 'broadcast', space: 'default', msg: 'tick', data: { i: 0 }, node: a.app.get(WsBroker).nodeId, seq: expect.any(Number) }]);
    } finally {
      observer.stop();
    }
  });

  describe('a batch from Redis is untrusted input', () => {
    let victim: TestClient;
    const toVictim = (n: number) => ({ op: 'push_user', space: 'default', uid: 'victim', msg: 'forged', data: { n } });
    const publish = (data: unknown) => publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data }));

    beforeEach(async () => {
      victim = await connect(b.wsUrl());
      await victim.request('login', { uid: 'victim' });
    });

    it('refuses a forged batch whole, counts it once, and delivers none of it', async () => {
      const before = counter(b, 'clusterRejected');
      await publish({ op: 'batch', node: 'forger', seq: 1, packets: [toVictim(1), { ...toVictim(2), uid: undefined }, toVictim(3)] });
      await publish({ op: 'batch', node: 'forger', seq: 4, packets: [toVictim(4), { ...toVictim(5), node: 'someone-else' }] });
      await publish({ op: 'batch', node: 'forger', seq: 6, packets: Array.from({ length: MAX_BATCH_PACKETS + 1 }, (_, i) => toVictim(i)) });
      await publish({ op: 'batch', node: 'forger', seq: 7, packets: [toVictim(7)], space: 'default' });
      expect(await eventually(() => counter(b, 'clusterRejected') - before >= 4)).toBe(true);
      // Handled already: a delivery would be in the victim's queue ahead of the fence's reply.
      expect((await victim.fence()).filter((e) => e.name === 'forged')).toEqual([]);
      expect(counter(b, 'clusterRejected') - before).toBe(4);
    });

    it('delivers a sound batch in order, and counts the gaps between batches by their ranges', async () => {
      const gaps = counter(b, 'seqGaps');
      await publish({ op: 'batch', node: 'ghost', seq: 1, packets: [toVictim(1), toVictim(2), toVictim(3)] });
      // 4 and 5 never arrive.
      await publish({ op: 'batch', node: 'ghost', seq: 6, packets: [toVictim(6), toVictim(7)] });
      for (const n of [1, 2, 3, 6, 7]) expect((await victim.nextWhere((e) => e.name === 'forged')).data).toEqual({ n });
      expect(counter(b, 'seqGaps') - gaps).toBe(2);
    });
  });
});
