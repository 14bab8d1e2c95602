import { Redis } from 'ioredis';
import { WsBroker } from 'nestjs-ws-spaces';
import { closeAllClients, connect, pushFence, type TestClient } from '../helpers/ws-client.js';
import type { ChildNode } from '../helpers/child-node.js';
import { startSampleCluster, type SampleCluster } from '../helpers/sample-cluster.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, type RunningApp } from '../helpers/start-app.js';

const PREFIX = `presence${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;
/** Short leases, so a dead node is forgotten within seconds: heartbeats every 667 ms. */
const LEASE = 2000;

/** Every channel Redis publishes on under the prefix, in order, as a raw subscriber sees it. */
async function observe(port: number): Promise<{ seen: string[]; fence(): Promise<void>; stop(): Promise<void> }> {
  const observer = new Redis(port, '127.0.0.1');
  const seen: string[] = [];
  // Presence packets (a node announcing users or groups it has just taken on) are not sends: left out.
  observer.on('pmessage', (_pattern, channel: string, message: string) => message.includes('"op":"presence"') || seen.push(channel));
  await observer.psubscribe(`${PREFIX}:*`);
  let n = 0;
  return {
    seen,
    async fence() {
      const mark = `${PREFIX}:fence:${++n}`;
      const publisher = new Redis(port, '127.0.0.1');
      await publisher.publish(mark, '');
      publisher.disconnect();
      if (!(await eventually(() => seen.includes(mark)))) throw new Error('observer fence lost');
      seen.splice(seen.indexOf(mark), 1);
    },
    stop: async () => void (await observer.quit()),
  };
}

describe('Presence directory and interest-routed dispatch', () => {
  let cluster: SampleCluster;
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let c: ChildNode;
  let brokerA: WsBroker;
  let nodeB: string;
  const sids = new Map<TestClient, string>();

  beforeAll(async () => {
    cluster = await startSampleCluster({ REDIS_PREFIX: PREFIX, REDIS_LEASE_TTL: String(LEASE) });
    ({ redis, a, b, c } = cluster);
    brokerA = a.app.get(WsBroker);
    nodeB = b.app.get(WsBroker).nodeId;
  }, 60_000);

  afterAll(() => cluster?.close(), 30_000);

  afterEach(closeAllClients);

  async function login(url: string, uid: string): Promise<TestClient> {
    const client = await connect(url);
    sids.set(client, (await client.request('user.login', { uid })).data.sid);
    return client;
  }

  /** Sends from A until the directory routes it (only the holding nodes reached), after the boot's grace. */
  async function untilRouted(send: () => Promise<{ nodes: number }>, holders: number): Promise<void> {
    const routed = await eventually(async () => {
      // Shared: every other node (B and C) gets it; routed: only the holders.
      const { nodes } = await send();
      return nodes === holders;
    }, 15_000);
    expect(routed).toBe(true);
  }

  it('answers the cluster-wide queries from the directory', async () => {
    const zoeB = await login(b.wsUrl(), 'q-zoe');
    const zoeC = await login(c.wsUrl(), 'q-zoe');
    await connect(c.wsUrl()); // anonymous: a session, not a user
    for (const client of [zoeB, zoeC]) await client.request('chat.join', { room: 'q-room' });
    const nodeC = sids.get(zoeC)!.split('.')[0];
    expect(await eventually(async () => (await brokerA.roomCount('q-room')) === 2, 5000)).toBe(true);
    expect(await brokerA.online('q-zoe')).toBe(true);
    expect(await brokerA.online('q-zoe', 'custom')).toBe(false);
    expect(await brokerA.online('nobody')).toBe(false);
    expect(await brokerA.userNodes('q-zoe')).toEqual([nodeB, nodeC].sort());
    expect((await brokerA.rooms())['q-room']).toBe(2);
    expect(await brokerA.count()).toEqual({ sessions: 3, users: 1 });
    expect(await brokerA.count('custom')).toEqual({ sessions: 0, users: 0 });
    expect(brokerA.presenceDegraded).toBe(false);
    await expect(brokerA.rooms('nope')).rejects.toThrow('unknown space "nope"');
    zoeC.socket.close();
    expect(await eventually(async () => (await brokerA.userNodes('q-zoe')).join() === nodeB, 5000)).toBe(true);
    expect(await brokerA.roomCount('q-room')).toBe(1);
  });

  it('publishes a pushUser only to the node holding the user, and delivers it exactly once', async () => {
    const zoe = await login(b.wsUrl(), 'only-b');
    const other = await login(c.wsUrl(), 'not-her');
    await untilRouted(() => brokerA.pushUser('only-b', 'warmup'), 1);
    for (let n = 0; n < 10; n++) expect(await brokerA.pushUser('only-b', 'routed', { n })).toMatchObject({ hit: 0, nodes: 1 });
    // A raw subscriber counts as a receiver of every publication, so `nodes` is checked above, without it.
    const observer = await observe(redis.port);
    try {
      for (let n = 10; n < 20; n++) await brokerA.pushUser('only-b', 'routed', { n });
      await observer.fence();
      // 10 publications, all on B's own channel: neither C nor the shared channel carried one.
      expect(observer.seen).toEqual(Array(10).fill(`${SHARED}:${nodeB}`));
    } finally {
      await observer.stop();
    }
    const got = (await pushFence(brokerA, sids.get(zoe)!, zoe)).filter((e) => e.name === 'routed').map((e) => e.data.n);
    expect(got).toEqual([...Array(20).keys()]);
    expect((await pushFence(brokerA, sids.get(other)!, other)).filter((e) => e.name === 'routed')).toEqual([]);
  });

  it('routes a groupcast to the nodes holding members, each member once, and publishes nothing when none do', async () => {
    const onB = await login(b.wsUrl(), 'g-b');
    const onC = await login(c.wsUrl(), 'g-c');
    const outsider = await login(c.wsUrl(), 'g-out');
    for (const client of [onB, onC]) await client.request('chat.join', { room: 'g-room' });
    const nodeC = sids.get(onC)!.split('.')[0];
    expect(await eventually(async () => (await brokerA.roomCount('g-room')) === 2, 5000)).toBe(true);
    const observer = await observe(redis.port);
    try {
      // Routed: one publication on each member's node channel, none on the shared one.
      const routedTo = [`${SHARED}:${nodeB}`, `${SHARED}:${nodeC}`].sort();
      const channels = async () => {
        observer.seen.length = 0;
        await brokerA.groupcast('g-room', 'warmup');
        await observer.fence();
        return JSON.stringify([...observer.seen].sort()) === JSON.stringify(routedTo);
      };
      expect(await eventually(channels, 15_000)).toBe(true);
      observer.seen.length = 0;
      for (let n = 0; n < 10; n++) await brokerA.groupcast('g-room', 'gc', { n });
      await observer.fence();
      expect([...observer.seen].sort()).toEqual([...Array(10).fill(routedTo[0]), ...Array(10).fill(routedTo[1])]);
    } finally {
      await observer.stop();
    }
    for (const client of [onB, onC]) {
      const got = (await pushFence(brokerA, sids.get(client)!, client)).filter((e) => e.name === 'gc').map((e) => e.data.n);
      expect(got).toEqual([...Array(10).keys()]);
    }
    expect((await pushFence(brokerA, sids.get(outsider)!, outsider)).filter((e) => e.name === 'gc')).toEqual([]);

    // Nobody anywhere: once the route is known, nothing is published at all.
    await untilRouted(() => brokerA.groupcast('empty-room', 'warmup'), 0);
    const quiet = await observe(redis.port);
    try {
      expect(await brokerA.groupcast('empty-room', 'gc')).toMatchObject({ hit: 0, nodes: 0 });
      await quiet.fence();
      expect(quiet.seen).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });

  it('reaches a session that joined on another node right after the route was cached', async () => {
    const first = await login(b.wsUrl(), 'late-1');
    await first.request('chat.join', { room: 'late' });
    await untilRouted(() => brokerA.groupcast('late', 'warmup'), 1);
    // C takes on the group: its presence packet invalidates A's route, so A does not keep sending to B only.
    const late = await login(c.wsUrl(), 'late-2');
    await late.request('chat.join', { room: 'late' });
    await untilRouted(() => brokerA.groupcast('late', 'warmup'), 2);
    expect(await brokerA.groupcast('late', 'both')).toMatchObject({ nodes: 2 });
    expect((await pushFence(brokerA, sids.get(late)!, late)).filter((e) => e.name === 'both')).toHaveLength(1);
  });

  it('counts exactly after 1,000 connects and disconnects across the nodes', async () => {
    const urls = [a.wsUrl(), b.wsUrl(), c.wsUrl()];
    // The earlier tests' sessions are closed: wait until the directory says so too.
    expect(await eventually(async () => (await brokerA.count()).sessions === 0, 5000)).toBe(true);
    const before = await brokerA.count();
    const open: TestClient[] = [];
    // 600 connects (300 logged in as one of 50 users, in one of 5 rooms), then 400 of them closed: 1,000 changes.
    for (let batch = 0; batch < 600; batch += 50) {
      open.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const n = batch + i;
            const client = await connect(urls[n % 3]);
            if (n % 2 === 0) {
              await client.request('user.login', { uid: `churn-${n % 50}` });
              await client.request('chat.join', { room: `churn-room-${n % 5}` });
            }
            return client;
          }),
        )),
      );
    }
    const closing = open.filter((_, n) => n % 3 !== 0 || n % 5 === 0).slice(0, 400);
    await Promise.all(closing.map((client) => (client.socket.close(), client.closed)));
    const kept = open.filter((client) => !closing.includes(client));
    const keptIdx = open.map((client, n) => (closing.includes(client) ? -1 : n)).filter((n) => n >= 0);
    const users = new Set(keptIdx.filter((n) => n % 2 === 0).map((n) => `churn-${n % 50}`));
    const rooms: Record<string, number> = {};
    for (const n of keptIdx.filter((n) => n % 2 === 0)) rooms[`churn-room-${n % 5}`] = (rooms[`churn-room-${n % 5}`] ?? 0) + 1;
    const expected = { sessions: before.sessions + kept.length, users: before.users + users.size };
    const exact = await eventually(async () => JSON.stringify(await brokerA.count()) === JSON.stringify(expected), 10_000);
    expect(await brokerA.count()).toEqual(expected);
    expect(exact).toBe(true);
    const all = await b.app.get(WsBroker).rooms();
    for (const [room, count] of Object.entries(rooms)) expect(all[room]).toBe(count);
    expect(Object.keys(all).filter((room) => room.startsWith('churn-room-')).length).toBe(Object.keys(rooms).length);
  }, 60_000);

  it('stays exact through joins and leaves across lease refreshes', async () => {
    const clients = await Promise.all([login(b.wsUrl(), 'hb-1'), login(c.wsUrl(), 'hb-2'), login(a.wsUrl(), 'hb-3')]);
    // Join and leave for two heartbeat periods and more, so refreshes land in the middle of the churn.
    const until = Date.now() + (LEASE / 3) * 2.5;
    let round = 0;
    // Paced under the sample's rate limit (50 frames a second per session).
    while (Date.now() < until && round < 60) {
      round++;
      const replies = await Promise.all(clients.map((client, i) => client.request(round % 2 === i % 2 ? 'chat.join' : 'chat.leave', { room: 'hb' })));
      for (const reply of replies) expect(reply.code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The last round left client i in the room when round % 2 === i % 2.
    const expected = clients.filter((_, i) => round % 2 === i % 2).length;
    expect(await eventually(async () => (await brokerA.roomCount('hb')) === expected, 5000)).toBe(true);
    expect(await eventually(async () => (await b.app.get(WsBroker).roomCount('hb')) === expected, 5000)).toBe(true);
  });

  it('keeps the directory through a Redis restart: rebuilt from the nodes\' state on reconnect', async () => {
    await login(b.wsUrl(), 'survivor');
    await login(c.wsUrl(), 'survivor');
    expect(await eventually(async () => (await brokerA.userNodes('survivor')).length === 2, 5000)).toBe(true);
    await redis.kill();
    // Redis away: queries answer at once from this node's own state, and say so.
    expect(await brokerA.userNodes('survivor')).toEqual([]);
    expect(brokerA.presenceDegraded).toBe(true);
    await redis.restart();
    expect(await eventually(async () => (await brokerA.userNodes('survivor')).length === 2, 15_000)).toBe(true);
    expect(brokerA.presenceDegraded).toBe(false);
    await redis.subscribed({ [SHARED]: 3 });
  }, 40_000);

  it('forgets a node SIGKILLed mid-traffic within the lease, and sends it nothing afterwards', async () => {
    const onC = await login(c.wsUrl(), 'doomed');
    const nodeC = sids.get(onC)!.split('.')[0];
    await untilRouted(() => brokerA.pushUser('doomed', 'warmup'), 1);
    const traffic = setInterval(() => void brokerA.pushUser('doomed', 'traffic'), 20);
    try {
      const killed = Date.now();
      await c.stop('SIGKILL');
      // Lease 2 s, plus a heartbeat (667 ms) to notice, plus slack for a loaded machine.
      expect(await eventually(async () => !(await brokerA.online('doomed')), LEASE * 3)).toBe(true);
      expect(Date.now() - killed).toBeLessThan(LEASE * 3);
      expect(await brokerA.userNodes('doomed')).toEqual([]);
    } finally {
      clearInterval(traffic);
    }
    // Nothing is published for the dead node's user any more: not on its channel, not on the shared one.
    const observer = await observe(redis.port);
    try {
      const silent = async () => {
        observer.seen.length = 0;
        await brokerA.pushUser('doomed', 'after');
        await observer.fence();
        return observer.seen.filter((channel) => channel.endsWith(nodeC) || channel === SHARED).length === 0;
      };
      // The route cached while C was alive lasts at most 3 × 1 s.
      expect(await eventually(silent, 5000)).toBe(true);
      expect(await silent()).toBe(true);
    } finally {
      await observer.stop();
    }
  }, 30_000);
});
