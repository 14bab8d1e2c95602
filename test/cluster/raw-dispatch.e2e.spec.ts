import { Redis } from 'ioredis';
import { WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { NotForbidden, RawEcho, RawTrail } from '../fixtures/raw.fixture.js';
import { RawClient } from '../helpers/raw-client.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

const PREFIX = `raw${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;

describe('Raw sends across nodes over Redis', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let brokerA: WsBroker;
  let brokerB: WsBroker;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    const options = { spaces: { raw: { path: '/raw', raw: true } }, redis: { url: redis.url, keyPrefix: PREFIX } };
    [a, b] = await Promise.all([1, 2].map(() => startApp({ imports: [WsModule.forRoot(options)], providers: [RawEcho, RawTrail, NotForbidden] })));
    brokerA = a.app.get(WsBroker);
    brokerB = b.app.get(WsBroker);
    await redis.subscribed({ [SHARED]: 2, [`${SHARED}:${brokerA.nodeId}`]: 1, [`${SHARED}:${brokerB.nodeId}`]: 1 });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
  });

  /** A raw-space client of a node, in raw-room, with its session id. */
  async function member(app: RunningApp): Promise<{ client: RawClient; sid: string }> {
    const client = await RawClient.connect(app.wsUrl('/raw'));
    clients.push(client);
    client.send('join');
    return { client, sid: (await client.next()).data as string };
  }

  it('pushRaw reaches a session on the other node, text as text and bytes as bytes', async () => {
    const onB = await member(b);
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    expect(await brokerA.pushRaw(onB.sid, 'über the wire')).toMatchObject({ hit: 0, nodes: 1 });
    expect(await brokerA.pushRaw(onB.sid, bytes)).toMatchObject({ hit: 0, nodes: 1 });
    expect(await onB.client.next()).toEqual({ binary: false, data: 'über the wire' });
    expect(await onB.client.next()).toEqual({ binary: true, data: bytes });
  });

  it('broadcastRaw and groupcastRaw reach both nodes, and except skips a session on the other', async () => {
    const [a1, b1, b2] = await Promise.all([member(a), member(b), member(b)]);
    expect(await brokerA.broadcastRaw(Buffer.from('to all'), { space: 'raw', except: b2.sid })).toMatchObject({ hit: 1, success: 1, nodes: 1 });
    for (const m of [a1, b1]) expect(await m.client.next()).toEqual({ binary: true, data: Buffer.from('to all') });
    expect(await b2.client.fence()).toEqual([]);
    expect(await brokerB.groupcastRaw('raw-room', 'room line', { space: 'raw' })).toMatchObject({ hit: 2, success: 2, nodes: 1 });
    for (const m of [a1, b1, b2]) expect(await m.client.next()).toEqual({ binary: false, data: 'room line' });
    expect(await a1.client.fence()).toEqual([]);
  });

  it('refuses forged raw packets, counts them, and delivers nothing', async () => {
    const victim = await member(b);
    const metrics = b.app.get(WsMetrics);
    const before = metrics.snapshot().total.clusterRejected;
    const base = { space: 'raw', node: 'forger', seq: 1 };
    const forgeries = [
      { ...base, op: 'broadcast', raw: 'base64', data: 'not base64!' },
      { ...base, op: 'broadcast', raw: 'base64', data: 'AAA' }, // not padded: Node would decode it anyway
      { ...base, op: 'broadcast', raw: 'text', data: { an: 'object' } },
      { ...base, op: 'broadcast', raw: 'text' },
      { ...base, op: 'broadcast', raw: 'hex', data: '00' },
      { ...base, op: 'broadcast', raw: 'text', data: 'x', msg: 'named' },
      { ...base, op: 'push_user', raw: 'text', data: 'x', uid: 'u' },
      { ...base, op: 'push_users', raw: 'text', data: 'x', uids: ['u'] },
      { ...base, op: 'broadcast', data: 'no raw, no msg' },
    ];
    const publisher = new Redis(redis.port, '127.0.0.1');
    try {
      for (const data of forgeries) await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data }));
      expect(await eventually(() => metrics.snapshot().total.clusterRejected - before >= forgeries.length, 5000)).toBe(true);
      expect(metrics.snapshot().total.clusterRejected - before).toBe(forgeries.length);
      // A sound raw packet still gets through, and is the only thing the victim sees.
      await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data: { ...base, seq: 2, op: 'broadcast', raw: 'base64', data: 'AAEC' } }));
      expect(await victim.client.next()).toEqual({ binary: true, data: Buffer.from([0, 1, 2]) });
      expect(await victim.client.fence()).toEqual([]);
    } finally {
      publisher.disconnect();
    }
  });
});
