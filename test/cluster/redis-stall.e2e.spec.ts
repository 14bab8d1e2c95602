import { Redis } from 'ioredis';
import { type Delivery, WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { Login } from '../fixtures/login.fixture.js';
import { TestRedis } from '../helpers/redis-server.js';
import { realClock, startApp, type RunningApp } from '../helpers/start-app.js';

const PREFIX = `stall${process.pid}`;
const PUBLISH_TIMEOUT = 1000; // the documented default, left unset below
/** How much later than the publish timeout a send may resolve on a loaded two-core box. */
const SLACK = 1500;
const FROZEN_FOR = 15_000;

/** The ids of the clients connected to Redis right now, but the probe's own. */
async function clientIds(probe: Redis): Promise<Set<string>> {
  const list = (await probe.client('LIST')) as string;
  const own = String(await probe.client('ID'));
  return new Set([...list.matchAll(/\bid=(\d+)/g)].map((m) => m[1]).filter((id) => id !== own));
}

describe('A stalled Redis (SIGSTOP, connections left open)', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    redis = await TestRedis.start();
    const options = { redis: { url: redis.url, keyPrefix: PREFIX } };
    [a, b] = await Promise.all([1, 2].map(() => startApp({ imports: [WsModule.forRoot(options)], providers: [Login] })));
  });

  afterAll(async () => {
    redis?.thaw();
    await closeAllClients();
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  }, 30_000);

  async function login(app: RunningApp): Promise<TestClient> {
    const client = await connect(app.wsUrl());
    await client.request('login', { uid: 'frozen-user' });
    return client;
  }

  /** Sends from A until B hears it; false when it did not within the deadline. */
  async function reachesB(onB: TestClient, name: string, deadlineMs: number): Promise<boolean> {
    const started = Date.now();
    while (Date.now() - started < deadlineMs) {
      await a.app.get(WsBroker).pushUser('frozen-user', name);
      if (await onB.nextWhere((e) => e.name === name, 300).then(() => true, () => false)) return true;
    }
    return false;
  }

  it('fails every send within publishTimeout, counted, delivers locally, reconnects, and resumes after SIGCONT', async () => {
    const onA = await login(a);
    const onB = await login(b);
    expect(await reachesB(onB, 'before', 10_000)).toBe(true);

    const probe = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    await probe.connect();
    const before = await clientIds(probe);
    probe.disconnect();

    const broker = a.app.get(WsBroker);
    const metrics = a.app.get(WsMetrics);
    const failuresBefore = metrics.snapshot().total.clusterFailures;
    const timed = async (send: () => Promise<Delivery>) => {
      const started = Date.now();
      const delivery = await send();
      return { delivery, ms: Date.now() - started };
    };

    const results: { delivery: Delivery; ms: number; at: number }[] = [];
    const frozenAt = Date.now();
    redis.freeze();
    // Bounded whatever happens: even if sends hung on the frozen Redis, it answers again after the freeze.
    const safety = setTimeout(() => redis.thaw(), FROZEN_FOR + 1000);
    try {
      // A burst at once: none waits on the others, nor on Redis past the timeout.
      const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => timed(() => broker.pushUser('frozen-user', 'burst', { i }))));
      results.push(...burst.map((r) => ({ ...r, at: 0 })));
      // Then one send every 250 ms while Redis stays frozen (bounded by count and time).
      for (let i = 0; i < 80 && Date.now() - frozenAt < FROZEN_FOR; i++) {
        const at = Date.now() - frozenAt;
        results.push({ ...(await timed(() => broker.broadcast('tick', { i }))), at });
        await realClock(250); // the freeze lasts FROZEN_FOR: sends spread over it show when the dead link is noticed
      }
    } finally {
      clearTimeout(safety);
      redis.thaw();
    }

    // Every send resolved in time, failed, and was counted; local delivery went on.
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(PUBLISH_TIMEOUT + SLACK);
    for (const { delivery } of results) {
      expect(delivery.firstError).toBeInstanceOf(Error); // WsPublishTimeoutError, or 'not connected' once detected
      expect(delivery).toMatchObject({ hit: 1, success: 1, nodes: 0 });
    }
    expect(metrics.snapshot().total.clusterFailures - failuresBefore).toBe(results.length);
    expect((await onA.fence()).filter((e) => e.name === 'burst')).toHaveLength(50); // delivered locally, before the fence

    // The silent connection was noticed and dropped: after the first seconds, sends fail at once instead of
    // each waiting out the timeout on a connection that will never answer.
    const late = results.filter((r) => r.at > 6000);
    expect(late.length).toBeGreaterThan(5);
    expect(Math.max(...late.map((r) => r.ms))).toBeLessThan(PUBLISH_TIMEOUT / 2);

    // Dispatch resumes by itself once Redis answers again, and the nodes are on new connections.
    expect(await reachesB(onB, 'after', 10_000)).toBe(true);
    const check = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    await check.connect();
    try {
      const now = await clientIds(check);
      expect([...before].filter((id) => now.has(id))).toEqual([]);
    } finally {
      check.disconnect();
    }
  }, 60_000);
});
