import { Redis } from 'ioredis';
import { WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { connectMember, ContextSender, MembershipHandlers } from '../fixtures/broker.fixture.js';
import { TestRedis } from '../helpers/redis-server.js';
import { closeAllClients, connect, FENCE, pushFence, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';
import { SpaceCodecs } from '../../lib/protocol/space-codecs.js';
import { countEncodes } from '../helpers/count-encodes.js';

const PREFIX = `many${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;

describe('Sends to many targets across nodes', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let brokerA: WsBroker;
  let brokerB: WsBroker;

  beforeAll(async () => {
    redis = await TestRedis.start();
    // A small maxMessageSize: a receiver refuses packets over it + 4 KiB, so long id lists must be split.
    const options = { spaces: { custom: '/custom' }, maxMessageSize: 1024, redis: { url: redis.url, keyPrefix: PREFIX } };
    [a, b] = await Promise.all(
      [1, 2].map(() => startApp({ imports: [WsModule.forRoot(options)], providers: [MembershipHandlers, ContextSender] })),
    );
    brokerA = a.app.get(WsBroker);
    brokerB = b.app.get(WsBroker);
    // Both nodes listen on the shared channel and on their own before any test sends.
    await redis.subscribed({ [SHARED]: 2, [`${SHARED}:${brokerA.nodeId}`]: 1, [`${SHARED}:${brokerB.nodeId}`]: 1 });
  }, 30_000);

  afterAll(async () => {
    await closeAllClients();
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  }, 30_000);

  afterEach(closeAllClients);

  const join = (app: RunningApp, setup?: { uid?: string; gid?: string }) => connectMember(app.wsUrl(), setup);

  /** What a session received, up to a fence pushed from node A (locally, or on the owning node's channel). */
  const names = async (s: { client: TestClient; sid: string }) => (await pushFence(brokerA, s.sid, s.client)).map((e) => e.name);

  /** Counts node B's encodes during `run`. */
  async function encodesOnB(run: () => Promise<unknown>, expectedFrames: () => boolean): Promise<number> {
    const { calls } = await countEncodes(b.app.get(SpaceCodecs).base, async () => {
      await run();
      expect(await eventually(expectedFrames, 3000)).toBe(true);
    });
    return calls;
  }

  it('except skips sessions on the other node too, for broadcast, groupcast and pushUser', async () => {
    const a1 = await join(a, { uid: 'x-user', gid: 'x-room' });
    const b1 = await join(b, { uid: 'x-user', gid: 'x-room' });
    const b2 = await join(b, { uid: 'x-user', gid: 'x-room' });
    expect(await brokerA.broadcast('b', null, { except: b1.sid })).toMatchObject({ hit: 1, nodes: 1 });
    expect(await brokerA.groupcast('x-room', 'g', null, { except: [a1.sid, b2.sid] })).toMatchObject({ hit: 0, nodes: 1 });
    expect(await brokerA.pushUser('x-user', 'u', null, { except: [b2.sid] })).toMatchObject({ hit: 1, nodes: 1 });
    // A fence: a last broadcast everyone gets, so nothing earlier can still be on its way.
    await brokerA.broadcast('fence');
    await b1.client.nextWhere((e) => e.name === 'fence');
    await b2.client.nextWhere((e) => e.name === 'fence');
    expect(b1.client.received.map((e) => e.name)).toEqual(['whoami', 'as', 'join', 'g', 'u', 'fence']);
    expect(b2.client.received.map((e) => e.name)).toEqual(['whoami', 'as', 'join', 'b', 'fence']);
    expect(await names(a1)).toEqual(['b', 'u', 'fence']);
  });

  it('a handler\'s "everyone in the room but me" crosses nodes', async () => {
    const me = await join(a, { gid: 'talk' });
    const there = await join(b, { gid: 'talk' });
    expect((await me.client.request('ctx.send', { kind: 'groupcast', to: 'talk', exceptMe: true })).data).toMatchObject({ hit: 0, nodes: 1 });
    expect(await there.client.nextWhere((e) => e.name === 'from.ctx')).toBeDefined();
    expect(await names(me)).toEqual([]);
  });

  it('pushMany sends one packet to each owning node, which encodes once, and resolves to one delivery', async () => {
    const a1 = await join(a);
    const b1 = await join(b);
    const b2 = await join(b);
    const b3 = await join(b);
    const observer = new Redis(redis.port, '127.0.0.1');
    const seen: Array<{ channel: string; data: any }> = [];
    observer.on('pmessage', (_pattern, channel, message) => seen.push({ channel, data: JSON.parse(message).data }));
    await observer.psubscribe(`${PREFIX}:*`);
    try {
      let delivery: unknown;
      const calls = await encodesOnB(
        async () => (delivery = await brokerA.pushMany([a1.sid, b1.sid, b2.sid, b1.sid, `${brokerB.nodeId}.zzzz`], 'many', { n: 1 }, { except: b3.sid })),
        () => [b1, b2].every((s) => s.client.received.some((e) => e.name === 'many')),
      );
      // PUBLISH counts every subscriber of B's channel: B, and the observer's pattern.
      expect(delivery).toMatchObject({ hit: 1, success: 1, nodes: 2 });
      expect(calls).toBe(1);
      for (const s of [a1, b1, b2]) expect(await names(s)).toEqual(['many']);
      expect(await names(b3)).toEqual([]);
      // The fences pushed to b1, b2 and b3 went on B's channel after the packet: once the observer saw them, it saw all.
      expect(await eventually(() => seen.filter((s) => s.data.msg === FENCE).length === 3)).toBe(true);
      expect(seen.filter((s) => s.data.msg !== FENCE)).toHaveLength(1);
      expect(seen[0].channel).toBe(`${SHARED}:${brokerB.nodeId}`);
      expect(seen[0].data).toMatchObject({ op: 'push_many', space: '*', msg: 'many' });
      expect([...seen[0].data.sids].sort()).toEqual([b1.sid, b2.sid, `${brokerB.nodeId}.zzzz`].sort());
    } finally {
      observer.disconnect();
    }
    // push_many travels on B's own channel: its sequence numbers count there, without false gaps.
    expect(b.app.get(WsMetrics).snapshot().total.seqGaps).toBe(0);
  });

  it('pushMany keeps to the space it names on the other node', async () => {
    const plain = await join(b);
    const custom = await connect(b.wsUrl('/custom'));
    const customSid = (await custom.request('whoami')).data as string;
    expect(await brokerA.pushMany([plain.sid, customSid], 'only-custom', null, { space: 'custom' })).toMatchObject({ hit: 0, nodes: 1 });
    expect(await custom.nextWhere((e) => e.name === 'only-custom')).toBeDefined();
    expect(await names(plain)).toEqual([]);
  });

  it('pushUsers publishes one packet; every node reaches its users\' sessions, encoded once', async () => {
    const annA = await join(a, { uid: 'ann' });
    const annB = await join(b, { uid: 'ann' });
    const bobB = await join(b, { uid: 'bob' });
    const eveB = await join(b, { uid: 'eve' });
    let delivery: unknown;
    const calls = await encodesOnB(
      async () => (delivery = await brokerA.pushUsers(['ann', 'bob', 'ann'], 'users')),
      () => [annB, bobB].every((s) => s.client.received.some((e) => e.name === 'users')),
    );
    expect(delivery).toMatchObject({ hit: 1, success: 1, nodes: 1 });
    expect(calls).toBe(1);
    for (const s of [annA, annB, bobB]) expect(await names(s)).toEqual(['users']);
    expect(await names(eveB)).toEqual([]);
  });

  it('splits id lists longer than one packet may carry, and still reaches each session once', async () => {
    const ann = await join(b, { uid: 'ann-long' });
    const b1 = await join(b);
    const metrics = b.app.get(WsMetrics);
    const rejectedBefore = metrics.snapshot().total.clusterRejected;
    const receivedBefore = metrics.snapshot().total.clusterReceived;
    const uids = [...Array.from({ length: 600 }, (_, i) => `someone-${i}`), 'ann-long'];
    const sids = [...Array.from({ length: 600 }, (_, i) => `${brokerB.nodeId}.fake${i}`), b1.sid];
    expect(await brokerA.pushUsers(uids, 'long-users')).toMatchObject({ nodes: 1 });
    expect(await brokerA.pushMany(sids, 'long-many')).toMatchObject({ nodes: 1 });
    expect(await ann.client.nextWhere((e) => e.name === 'long-users')).toBeDefined();
    expect(await b1.client.nextWhere((e) => e.name === 'long-many')).toBeDefined();
    await brokerA.broadcast('fence');
    await ann.client.nextWhere((e) => e.name === 'fence');
    await b1.client.nextWhere((e) => e.name === 'fence');
    expect(ann.client.received.filter((e) => e.name === 'long-users')).toHaveLength(1);
    expect(b1.client.received.filter((e) => e.name === 'long-many')).toHaveLength(1);
    expect(metrics.snapshot().total.clusterRejected).toBe(rejectedBefore);
    expect(metrics.snapshot().total.clusterReceived - receivedBefore).toBeGreaterThan(3); // several packets each, and the fence
  });

  it('refuses forged packets with malformed target lists, counts them, and delivers nothing', async () => {
    const victim = await join(b, { uid: 'victim', gid: 'vroom' });
    const metrics = b.app.get(WsMetrics);
    const before = metrics.snapshot().total.clusterRejected;
    const base = { space: 'default', msg: 'forged', node: 'forger', seq: 1 };
    const forgeries = [
      { ...base, op: 'push_many' },
      { ...base, op: 'push_many', sids: [] },
      { ...base, op: 'push_many', sids: [victim.sid, 42] },
      { ...base, op: 'push_many', sids: victim.sid },
      { ...base, op: 'push_many', sids: [victim.sid], except: [] },
      { ...base, op: 'push_many', sids: [victim.sid], uid: 'victim' },
      { ...base, op: 'push_users', uids: [''] },
      { ...base, op: 'push_users', uids: Array.from({ length: 100_001 }, () => 'victim') },
      { ...base, op: 'push_users', uid: 'victim' },
      { ...base, op: 'broadcast', except: 'not-a-list' },
      { ...base, op: 'broadcast', sids: [victim.sid] },
      { ...base, op: 'push', sid: victim.sid, except: [] },
      { ...base, op: 'push_user', uid: 'victim', uids: ['victim'] },
      { ...base, op: 'push_users', space: '*', uids: ['victim'] },
    ];
    const publisher = new Redis(redis.port, '127.0.0.1');
    try {
      for (const data of forgeries) await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data }));
      expect(await eventually(() => metrics.snapshot().total.clusterRejected - before >= forgeries.length, 5000)).toBe(true);
      expect(metrics.snapshot().total.clusterRejected - before).toBe(forgeries.length);
      // A well-formed packet still gets through, and is the only thing the victim sees.
      const sound = { ...base, op: 'push_users', uids: ['victim'], except: ['someone-else.1'], msg: 'sound', seq: 2 };
      await publisher.publish(SHARED, JSON.stringify({ pattern: SHARED, data: sound }));
      expect(await victim.client.nextWhere((e) => e.name === 'sound')).toBeDefined();
      expect(victim.client.received.some((e) => e.name === 'forged')).toBe(false);
    } finally {
      publisher.disconnect();
    }
  });
});
