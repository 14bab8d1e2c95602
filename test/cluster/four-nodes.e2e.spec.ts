import { Redis } from 'ioredis';
import { NodeProcess } from '../helpers/node-process.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, realClock } from '../helpers/start-app.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';

type Routing = 'interest' | 'shared';

/**
 * Which of the four nodes hold a session of each user (3 or 4 sessions a node). Node 0 sends every pushUser, so
 * interest routing publishes once per *other* node in the list.
 */
const LAYOUT: Record<string, number[]> = {
  solo0: [0], // the sender's node only: nothing to publish
  solo1: [1],
  solo2: [2],
  solo3: [3],
  duo02: [0, 2], // a session on the sender's node and one on another: one
  pair23: [2, 3], // two other nodes: two
  trio013: [0, 1, 3],
  trio123: [1, 2, 3], // every other node: three
};
const NODES = 4;
/** pushUsers per user in the counted phase. */
const NOTES = 3;
const otherHolders = (uid: string) => LAYOUT[uid].filter((node) => node !== 0);
/**
 * How long after reaching Redis a node starts trusting interest routes (the fixture's `leaseTtl` 1.5 s: a third of
 * it plus the 2 s reconnect bound), and a margin. Before it, every send goes to every node whatever the design.
 */
const ROUTES_TRUSTED_MS = 1500 / 3 + 2000 + 500;

/** One publication Redis carried under the prefix, as a raw pattern subscriber sees it. */
interface Publication {
  channel: string;
  op?: string;
  uid?: string;
  msg?: string;
}

/**
 * Every publication under the prefix, counted by a subscriber of the test's own (PSUBSCRIBE: a pattern subscriber
 * is not one of a channel's NUMSUB, so the nodes' channels' subscriber counts stay the nodes'). `fence()` publishes
 * a marker and waits until it is seen: Redis sends messages in the order it ran the publishes, so everything
 * published before it has been seen then.
 */
async function observe(redis: TestRedis, prefix: string) {
  const subscriber = new Redis(redis.port, '127.0.0.1');
  const seen: Publication[] = [];
  const field = (message: string, name: string) => new RegExp(`"${name}":"([^"]*)"`).exec(message)?.[1];
  subscriber.on('pmessage', (_pattern, channel: string, message: string) =>
    seen.push({ channel, op: field(message, 'op'), uid: field(message, 'uid'), msg: field(message, 'msg') }),
  );
  await subscriber.psubscribe(`${prefix}:*`);
  let fences = 0;
  return {
    seen,
    async fence(): Promise<void> {
      const channel = `${prefix}:fence:${++fences}`;
      await redis.publish(channel);
      if (!(await eventually(() => seen.some((p) => p.channel === channel), 5000))) throw new Error('the observer missed its fence');
    },
    stop: async () => void (await subscriber.quit()),
  };
}

/** Four nodes of one design, each in a process of its own, with their own key prefix on the one Redis. */
interface Cluster {
  prefix: string;
  nodes: NodeProcess[];
  ports: number[];
  bootedAt: number;
}

describe('Four nodes in four processes: Redis messages per pushUser, and exactly-once delivery', () => {
  let redis: TestRedis;
  const clusters = new Map<Routing, Cluster>();

  // Both clusters boot at once: eight processes on a small box take about as long as four, and the second
  // design's wait for trusted routes runs during the first's.
  beforeAll(async () => {
    redis = await TestRedis.start();
    await Promise.all(
      (['interest', 'shared'] as const).map(async (routing) => {
        const prefix = `four-${routing}-${process.pid}`;
        const cluster: Cluster = { prefix, nodes: [], ports: [], bootedAt: 0 };
        clusters.set(routing, cluster);
        await Promise.all(
          Array.from({ length: NODES }, async (_, i) => {
            const { node, port } = await NodeProcess.start({ redisUrl: redis.url, prefix, nodeId: `${routing}${i}`, routing });
            cluster.nodes[i] = node;
            cluster.ports[i] = port;
          }),
        );
        cluster.bootedAt = Date.now();
      }),
    );
  }, 30_000);

  afterAll(async () => {
    await closeAllClients();
    await Promise.all([...clusters.values()].flatMap((cluster) => cluster.nodes.filter(Boolean).map((node) => node.stop())));
    await redis?.stop();
  }, 15_000);

  describe.each<[Routing]>([['interest'], ['shared']])("with redis.routing '%s'", (routing) => {
    let nodes: NodeProcess[];
    let shared: string;
    /** Every session, with the user it logged in as. */
    const sessions: Array<{ uid: string; node: number; client: TestClient }> = [];
    let publications: Publication[];
    let subscribers: Record<string, number>;

    beforeAll(async () => {
      const { prefix, ports, bootedAt } = clusters.get(routing)!;
      nodes = clusters.get(routing)!.nodes;
      shared = `${prefix}:_ws.dispatch`;
      const channels = Object.fromEntries(nodes.map((node) => [`${shared}:${node.nodeId}`, 1]));
      await redis.subscribed({ [shared]: NODES, ...channels });

      // Users log in at upgrade (`?uid=`); the welcome proves which node holds the session and that it is bound.
      for (const [uid, holders] of Object.entries(LAYOUT)) {
        for (const node of holders) {
          const client = await connect(`ws://127.0.0.1:${ports[node]}/ws?uid=${uid}`);
          const welcome = await client.nextWhere((e) => e.name === 'ws.welcome');
          expect(welcome.data).toMatchObject({ user: uid, node: nodes[node].nodeId });
          sessions.push({ uid, node, client });
        }
      }

      // Interest routes are trusted once every node had the time to write its state (leaseTtl / 3 + 2 s after it
      // reached Redis) and the sender has loaded the user's entry; until then a send goes to every node. Without
      // the observer, `nodes` is exactly the nodes that received the packet. The shared design is measured past
      // that time too (the real clock is the subject: it must not be a design that merely has not started routing).
      if (routing === 'shared') await realClock(Math.max(0, bootedAt + ROUTES_TRUSTED_MS - Date.now()));
      for (const uid of Object.keys(LAYOUT)) {
        const expected = routing === 'interest' ? otherHolders(uid).length : NODES - 1;
        const routed = await eventually(async () => (await nodes[0].pushUser(uid, 'warmup')).nodes === expected, 10_000);
        expect(routed, `${uid} routed to ${expected} nodes`).toBe(true);
      }

      const observer = await observe(redis, prefix);
      try {
        for (const uid of Object.keys(LAYOUT)) {
          for (let n = 0; n < NOTES; n++) {
            const delivery = await nodes[0].pushUser(uid, 'note', { uid, n });
            // Sessions on the sender's node are written to at once, whatever the design.
            expect(delivery).toMatchObject({ hit: LAYOUT[uid].filter((node) => node === 0).length, failed: 0 });
          }
        }
        await observer.fence();
      } finally {
        await observer.stop();
      }
      publications = observer.seen.filter((p) => p.msg === 'note');
      const probe = new Redis(redis.port, '127.0.0.1');
      const names = [shared, ...Object.keys(channels)];
      const reply = (await probe.pubsub('NUMSUB', ...names)) as Array<string | number>;
      probe.disconnect();
      subscribers = Object.fromEntries(names.map((name, i) => [name, Number(reply[2 * i + 1])]));
    }, 30_000);

    it('answers the cluster-wide queries from the presence directory in either design', async () => {
      for (const uid of Object.keys(LAYOUT)) {
        expect(await nodes[0].userNodes(uid), uid).toEqual(LAYOUT[uid].map((node) => nodes[node].nodeId).sort());
      }
    });

    it('publishes each pushUser as the design says: once per other node holding the user, or once to all', () => {
      for (const uid of Object.keys(LAYOUT)) {
        const channels = publications.filter((p) => p.uid === uid).map((p) => p.channel).sort();
        const perSend = routing === 'interest' ? otherHolders(uid).map((node) => `${shared}:${nodes[node].nodeId}`) : [shared];
        expect(channels, uid).toEqual(perSend.flatMap((channel) => Array(NOTES).fill(channel)).sort());
      }
    });

    it('costs Redis k messages in and k out per pushUser routed by interest, 1 in and 4 out on the shared channel', () => {
      // Out: every publication is written to each subscriber of its channel (this test's pattern subscriber aside).
      const cost = Object.fromEntries(
        Object.keys(LAYOUT).map((uid) => {
          const mine = publications.filter((p) => p.uid === uid);
          return [uid, { in: mine.length / NOTES, out: mine.reduce((sum, p) => sum + subscribers[p.channel], 0) / NOTES }];
        }),
      );
      const expected = Object.fromEntries(
        Object.keys(LAYOUT).map((uid) => {
          const k = otherHolders(uid).length;
          return [uid, routing === 'interest' ? { in: k, out: k } : { in: 1, out: NODES }];
        }),
      );
      expect(cost).toEqual(expected);
      // The expected figures, spelled out for the README's table.
      if (routing === 'interest') expect([cost.solo0, cost.solo1, cost.pair23, cost.trio123].map((c) => c.out)).toEqual([0, 1, 2, 3]);
      else expect(cost.solo0).toEqual({ in: 1, out: 4 });
    });

    it('delivers every pushUser exactly once to every session of the user, and to nobody else', async () => {
      // A fence per user, sent the way the notes were (node 0, same route): each session has its notes before it.
      for (const uid of Object.keys(LAYOUT)) await nodes[0].pushUser(uid, 'fence', { uid });
      for (const { uid, node, client } of sessions) {
        const before = await client.takeUntil((e) => e.name === 'fence');
        const notes = before.filter((e) => e.name === 'note').map((e) => e.data);
        expect(notes, `${uid} on node ${node}`).toEqual(Array.from({ length: NOTES }, (_, n) => ({ uid, n })));
      }
    });
  });
});
