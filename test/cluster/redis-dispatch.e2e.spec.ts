import { Redis } from 'ioredis';
import { WsBroker, WsMetrics } from 'nestjs-ws-spaces';
import { closeAllClients, connect, fenceVia, pushFence, type TestClient } from '../helpers/ws-client.js';
import type { ChildNode } from '../helpers/child-node.js';
import { startSampleCluster, type SampleCluster } from '../helpers/sample-cluster.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, type RunningApp } from '../helpers/start-app.js';

const PREFIX = `spec${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

describe('Dispatch between nodes over Redis', () => {
  let cluster: SampleCluster;
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let c: ChildNode;

  beforeAll(async () => {
    cluster = await startSampleCluster({ REDIS_PREFIX: PREFIX });
    ({ redis, a, b, c } = cluster);
  }, 60_000);

  afterAll(() => cluster?.close(), 30_000);

  afterEach(closeAllClients);

  /** Session ids of the clients that logged in, for fences pushed to them from another node. */
  const sids = new Map<TestClient, string>();

  async function login(url: string, uid: string): Promise<TestClient> {
    const client = await connect(url);
    sids.set(client, (await client.request('user.login', { uid })).data.sid);
    return client;
  }

  /** A fence pushed from node A, after what A sent before: it reaches the client's node in publish order. */
  const fenceFromA = (client: TestClient) => pushFence(a.app.get(WsBroker), sids.get(client)!, client);

  it('delivers a pushUser from A to the user\'s sessions on B and C, exactly once each', async () => {
    const onB = await login(b.wsUrl(), 'zoe');
    const onC = await login(c.wsUrl(), 'zoe');
    const other = await login(c.wsUrl(), 'not-zoe');
    const delivery = await post(a.httpUrl('/notice/user'), { uid: 'zoe', text: 'from A' });
    expect(delivery).toMatchObject({ hit: 0, nodes: 2 });
    for (const client of [onB, onC]) {
      expect(await client.nextWhere((e) => e.name === 'demo.notice')).toMatchObject({ data: { text: 'from A' } });
      expect((await fenceFromA(client)).filter((e) => e.name === 'demo.notice')).toEqual([]);
    }
    expect(await fenceFromA(other)).toEqual([]);
  });

  it('groupcasts across nodes to the members only', async () => {
    const speaker = await login(a.wsUrl(), 'speaker');
    const memberB = await login(b.wsUrl(), 'member-b');
    const memberC = await login(c.wsUrl(), 'member-c');
    const outsider = await login(c.wsUrl(), 'outsider');
    for (const client of [speaker, memberB, memberC]) await client.request('chat.join', { room: 'cross' });
    await outsider.request('chat.join', { room: 'elsewhere' });
    await speaker.request('chat.say', { room: 'cross', text: 'hi all' });
    for (const client of [speaker, memberB, memberC]) {
      expect(await client.nextWhere((e) => e.name === 'chat.said')).toMatchObject({ data: { room: 'cross', text: 'hi all', from: 'speaker' } });
    }
    expect((await fenceFromA(outsider)).filter((e) => e.name === 'chat.said')).toEqual([]);
  });

  it('broadcasts to every node\'s sessions in that space and no other space\'s', async () => {
    const clients = [await connect(a.wsUrl()), await connect(b.wsUrl()), await connect(c.wsUrl())];
    const custom = [await connect(b.wsUrl('/socket/custom?token=letmein')), await connect(c.wsUrl('/socket/custom?token=letmein'))];
    const delivery = (await post(b.httpUrl('/notice'), { text: 'everyone' })) as { nodes: number };
    expect(delivery.nodes).toBe(2);
    for (const client of clients) expect(await client.nextWhere((e) => e.name === 'demo.notice')).toMatchObject({ data: { text: 'everyone' } });
    // The fence: a broadcast in the custom space from B, the node that sent the first one.
    const fenced = await fenceVia((name, data) => b.app.get(WsBroker).broadcast(name, data, { space: 'custom' }), custom);
    for (const received of fenced) expect(received).toEqual([]);
  });

  it('sends a push to a session of B on B\'s channel only', async () => {
    const onB = await connect(b.wsUrl());
    const sid = (await onB.request('user.login', { uid: 'pushed' })).data.sid as string;
    const broker = a.app.get(WsBroker);
    // Reached exactly one other node: B, the only subscriber of its own channel.
    expect(await broker.push(sid, 'direct', { n: 1 })).toMatchObject({ hit: 0, nodes: 1 });
    expect((await onB.nextWhere((e) => e.name === 'direct')).data).toEqual({ n: 1 });

    const observer = new Redis(redis.port, '127.0.0.1');
    const seen: string[] = [];
    // Presence packets (a node announcing users it has just taken on) are not what this counts.
    observer.on('pmessage', (_pattern, channel, message: string) => message.includes('"op":"presence"') || seen.push(channel));
    await observer.psubscribe(`${PREFIX}:*`);
    try {
      await broker.push(sid, 'direct', { n: 2 });
      expect((await onB.nextWhere((e) => e.name === 'direct')).data).toEqual({ n: 2 });
      // A fence on the observer's connection: a publish Redis runs after A's, so it is seen after it.
      await redis.publish(`${PREFIX}:fence`);
      expect(await eventually(() => seen.includes(`${PREFIX}:fence`))).toBe(true);
      expect(seen).toEqual([`${SHARED}:${b.app.get(WsBroker).nodeId}`, `${PREFIX}:fence`]);
    } finally {
      observer.disconnect();
    }
  });

  it('keeps a push inside the space it names, across nodes too', async () => {
    const onB = await connect(b.wsUrl('/socket/custom?token=letmein'));
    // The token binds the user `guest`; the custom space does not inherit user.login, so read the sid on node b.
    await onB.request('demo.echo', { text: 'ready' });
    const sid = b.app.get(WsBroker).sessionsByUser('guest', 'custom').at(-1)!.id;
    const broker = a.app.get(WsBroker);
    await broker.push(sid, 'wrong-space', null, { space: 'default' });
    await broker.push(sid, 'right-space', null, { space: 'custom' });
    await broker.push(sid, 'any-space');
    expect(await onB.nextWhere((e) => e.name === 'right-space')).toBeDefined();
    expect(await onB.nextWhere((e) => e.name === 'any-space')).toBeDefined();
    // any-space, published after wrong-space on the same channel, is the fence: wrong-space would be in by now.
    expect(onB.received.some((e) => e.name === 'wrong-space')).toBe(false);
  });

  it('treats a push to a session nobody holds as a successful no-op', async () => {
    const broker = a.app.get(WsBroker);
    expect(await broker.push('no-such-node.1', 'x')).toMatchObject({ hit: 0, success: 0, failed: 0, nodes: 0 });
    expect((await broker.push(`${b.app.get(WsBroker).nodeId}.999999`, 'x')).firstError).toBeUndefined();
  });

  it('refuses forged packets of every kind, counts them, and delivers nothing', async () => {
    const victim = await login(b.wsUrl(), 'victim');
    await victim.request('chat.join', { room: 'r' });
    const sid = (await victim.request('user.login', { uid: 'victim' })).data.sid;
    const metrics = b.app.get(WsMetrics);
    const before = metrics.snapshot().total.clusterRejected;
    const good = { op: 'push_user', space: 'default', uid: 'victim', msg: 'forged', node: 'forger', seq: 1 };
    const forgeries: unknown[] = [
      { ...good, op: 'explode' },
      { ...good, msg: '' },
      { op: 'push', space: 'default', msg: 'forged', node: 'forger', seq: 1 },
      { ...good, uid: undefined },
      { op: 'groupcast', space: 'default', msg: 'forged', node: 'forger', seq: 1 },
      { ...good, seq: 'one' },
      { ...good, space: 'nowhere' },
      { ...good, extra: true },
      'not even an object',
    ];
    const publisher = new Redis(redis.port, '127.0.0.1');
    try {
      for (const data of forgeries) await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data }));
      await publisher.publish(SHARED, 'this is not json');
      await publisher.publish(`${SHARED}:${b.app.get(WsBroker).nodeId}`, JSON.stringify({ pattern: 'x', data: { ...good, op: 'push', uid: undefined, sid, msg: 'x'.repeat(5 * 1024 * 1024) } }));
      const expected = forgeries.length + 2;
      expect(await eventually(() => metrics.snapshot().total.clusterRejected - before >= expected, 5000)).toBe(true);
      expect(metrics.snapshot().total.clusterRejected - before).toBe(expected);
      // Every packet was handled (counted) already: a delivery would be in the victim's queue, ahead of the fence.
      expect((await victim.fence()).filter((e) => e.name === 'forged' || e.name === 'x')).toEqual([]);
    } finally {
      publisher.disconnect();
    }
  });

  it('counts the packets another node lost on the way as sequence gaps', async () => {
    const metrics = b.app.get(WsMetrics);
    const before = metrics.snapshot().total.seqGaps;
    const publisher = new Redis(redis.port, '127.0.0.1');
    try {
      for (const seq of [1, 2, 6, 7, 10]) {
        const data = { op: 'broadcast', space: 'custom', msg: 'tick', node: 'ghost-node', seq };
        await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data }));
      }
      expect(await eventually(() => metrics.snapshot().total.seqGaps - before === 5, 3000)).toBe(true);
      expect(metrics.snapshot().spaces.custom.clusterReceived).toBeGreaterThanOrEqual(5);
    } finally {
      publisher.disconnect();
    }
  });

  it('survives Redis going away: local traffic flows, failures are counted, dispatch resumes after', async () => {
    const onA = await login(a.wsUrl(), 'outage');
    const onB = await login(b.wsUrl(), 'outage');
    await redis.kill();

    expect((await onA.request('demo.echo', { text: 'still here' })).data).toEqual({ text: 'still here' });
    const during = await a.app.get(WsBroker).pushUser('outage', 'during');
    expect(during).toMatchObject({ hit: 1, success: 1, nodes: 0 });
    expect(during.firstError).toBeInstanceOf(Error);
    expect(a.app.get(WsMetrics).snapshot().total.clusterFailures).toBeGreaterThan(0);
    expect(await onA.nextWhere((e) => e.name === 'during')).toBeDefined();

    await redis.restart();
    // Every node resubscribes by itself; keep sending until B hears again, within a few seconds.
    const restarted = Date.now();
    let heard = false;
    for (let i = 0; !heard && Date.now() - restarted < 10_000; i++) {
      await a.app.get(WsBroker).pushUser('outage', 'after', { i });
      heard = await onB.nextWhere((e) => e.name === 'after', 300).then(() => true, () => false);
    }
    expect(heard).toBe(true);
    expect(Date.now() - restarted).toBeLessThan(10_000);
  }, 30_000);
});
