import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { Login } from '../fixtures/login.fixture.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

const PREFIX = `signed${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;
const SECRET = 'a-secret-of-the-cluster';

describe('Signed packets (redis.secret)', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let unsigned: RunningApp;
  let forger: Redis;
  const rejected = (app: RunningApp) => app.app.get(WsMetrics).snapshot().total.clusterRejected;

  beforeAll(async () => {
    redis = await TestRedis.start();
    const signed = { redis: { url: redis.url, keyPrefix: PREFIX, secret: SECRET } };
    [a, b, unsigned] = await Promise.all([
      startApp({ imports: [WsModule.forRoot(signed)], providers: [Login] }),
      startApp({ imports: [WsModule.forRoot(signed)], providers: [Login] }),
      startApp({ imports: [WsModule.forRoot({ redis: { url: redis.url, keyPrefix: PREFIX } })], providers: [Login] }),
    ]);
    forger = new Redis(redis.port, '127.0.0.1');
    await redis.subscribed({ [SHARED]: 3 });
  });

  afterAll(async () => {
    forger?.disconnect();
    await closeAllClients();
    await Promise.all([a?.close(), b?.close(), unsigned?.close()]);
    await redis?.stop();
  });

  async function login(app: RunningApp, uid: string): Promise<TestClient> {
    const client = await connect(app.wsUrl());
    await client.request('login', { uid });
    return client;
  }

  it('delivers between nodes that share the secret, and a node without it refuses their packets', async () => {
    const onB = await login(b, 'signed-user');
    const onUnsigned = await login(unsigned, 'signed-user');
    const before = rejected(unsigned);
    expect(await a.app.get(WsBroker).pushUser('signed-user', 'signed', { n: 1 })).toMatchObject({ nodes: 2 });
    expect((await onB.nextWhere((e) => e.name === 'signed')).data).toEqual({ n: 1 });
    expect(await eventually(() => rejected(unsigned) - before === 1)).toBe(true);
    // The packet was handled (refused) already: had it been delivered, it would be ahead of the fence.
    expect((await onUnsigned.fence()).filter((e) => e.name === 'signed')).toEqual([]);
  });

  it('signs a batch as one message: it is delivered whole, and refused whole once altered', async () => {
    const onB = await login(b, 'batched-user');
    const broker = a.app.get(WsBroker);
    // One turn: the twenty packets travel as one signed batch.
    const deliveries = await Promise.all(Array.from({ length: 20 }, (_, n) => broker.pushUser('batched-user', 'batched', { n })));
    expect(deliveries.every((d) => d.firstError === undefined && d.nodes >= 1)).toBe(true);
    for (let n = 0; n < 20; n++) expect((await onB.nextWhere((e) => e.name === 'batched')).data).toEqual({ n });

    const before = rejected(b);
    const batch = (from: number) => {
      const packets = [from, from + 1].map((n) => ({ op: 'push_user', space: 'default', uid: 'batched-user', msg: 'batched', data: { n } }));
      const body = JSON.stringify({ pattern: SHARED, data: { op: 'batch', node: 'forger', seq: from, packets } });
      return createHmac('sha256', SECRET).update(body).digest('hex') + body;
    };
    await forger.publish(SHARED, batch(100).replace('"n":101', '"n":666'));
    // A sound batch after it on the same channel: once B delivers that, it has handled the altered one.
    await forger.publish(SHARED, batch(200));
    expect((await onB.takeUntil((e) => e.name === 'batched' && e.data.n === 200)).filter((e) => e.name === 'batched')).toEqual([]);
    expect((await onB.nextWhere((e) => e.name === 'batched')).data).toEqual({ n: 201 });
    // Counted (at least this one: other nodes' refused packets may land in the same window).
    expect(rejected(b) - before).toBeGreaterThanOrEqual(1);
  });

  it('drops unsigned and wrongly signed packets, counting each, before they are parsed', async () => {
    const onB = await login(b, 'victim');
    const packet = (seq: number, msg = 'forged') => JSON.stringify({ pattern: SHARED, data: { op: 'push_user', space: 'default', uid: 'victim', msg, node: 'forger', seq } });
    const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex') + body;
    const soundlySigned = (message: string) => message.length > 64 && sign(SECRET, message.slice(64)) === message;
    // Every message on the channel, as B hears them and in the same order: the unsigned node publishes presence
    // packets of its own on a timer, so what B must refuse is counted here rather than assumed.
    const observer = new Redis(redis.port, '127.0.0.1');
    const heard: string[] = [];
    observer.on('message', (_channel: string, message: string) => heard.push(message));
    await observer.subscribe(SHARED);
    try {
      // A sound packet first: once B has delivered it, B has handled all the channel carried before it.
      await forger.publish(SHARED, sign(SECRET, packet(10, 'start')));
      await onB.nextWhere((e) => e.name === 'start');
      const before = rejected(b);
      const from = heard.findIndex((m) => m.includes('"msg":"start"'));
      const body = packet(13);
      const forged = [
        packet(11), // unsigned
        sign('not-the-secret-at-all', packet(12)), // signed with another key
        sign(SECRET, body).replace('"seq":13', '"seq":19'), // signed, then altered
        'z'.repeat(64) + body, // not hex
        sign(SECRET, body).slice(0, 63) + body, // truncated signature
      ];
      for (const message of forged) await forger.publish(SHARED, message);
      // A node without the secret publishes too: refused as well.
      await unsigned.app.get(WsBroker).pushUser('victim', 'forged');
      // The same packet, signed with the secret, is delivered: the refusals were for the signature alone.
      await forger.publish(SHARED, sign(SECRET, packet(20)));
      expect(await onB.nextWhere((e) => e.name === 'forged')).toBeDefined();
      expect(onB.received.filter((e) => e.name === 'forged')).toHaveLength(1);
      const window = heard.slice(from + 1, heard.findIndex((m) => m.includes('"node":"forger","seq":20')));
      const refusable = window.filter((m) => !soundlySigned(m));
      expect(refusable.length).toBeGreaterThanOrEqual(forged.length + 1);
      expect(rejected(b) - before).toBe(refusable.length);
    } finally {
      observer.disconnect();
    }
  });
});
