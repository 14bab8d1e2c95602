import { nowUs, sleepUntil } from './clock.js';
import { connectAcross, latency, merge, START_LEAD_US, text } from './scenario-kit.js';
import { type RedisCount, RedisObserver } from './redis-observer.js';
import type { RunContext, Sample, Scenario } from './scenarios.js';
import type { ServerHandle } from './server-handle.js';
import type { LoadResult } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';

/** The bench servers' key prefix (spaces.server.ts), so their dispatch channels are `bench:_ws.dispatch[:<node>]`. */
const PREFIX = 'bench';
const SHARED_CHANNEL = `${PREFIX}:_ws.dispatch`;
/**
 * A bench node trusts interest routes 2.5 s after it reaches Redis (its `leaseTtl` 1.5 s: a third of it plus the
 * 2 s reconnect bound); before that every pushUser goes to every node. With a margin: pushes start no earlier.
 */
const ROUTES_TRUSTED_MS = 3_500;

/** One routing design's run: throughput, and what each pushUser cost the nodes and Redis. */
export interface PushDesign {
  /** `'as served'`: a server on another machine, whose design the generator cannot choose. */
  routing: 'interest' | 'shared' | 'as served';
  nodes: number;
  users: number;
  deliveriesPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Every node's CPU over the window, summed, in % of one core. */
  nodesCpuPct: number;
  /** Every node's CPU per delivery, in µs. */
  nodesUsPerDelivery: number;
  /** The busiest load worker's CPU, in % of one core. */
  generatorCpuPct: number;
  /** Counted by a subscriber of the bench's own, per delivery in the window; absent without access to Redis. */
  redis?: {
    /** PUBLISH commands per pushUser (messages into Redis). */
    publishesPerPush: number;
    /** Copies Redis wrote to the nodes per pushUser (messages out of Redis): publications × their channel's subscribers. */
    copiesPerPush: number;
    /** Of the publications, the share on the shared channel (interest routing: what was not routed). */
    sharedShare: number;
    /** Redis' CPU per pushUser, in µs (its one core; the observer's own copy included). */
    usPerPush: number;
    /** Redis' CPU over the window, in % of one core. */
    cpuPct: number;
  };
  /** Pushes sent and never delivered (a push lost stops its chain), plus error replies and closed connections. */
  errors: number;
}

export const clusterPush: Scenario = {
  id: 'cluster-push',
  title: 'Cluster pushUser: interest routing vs the shared channel',
  unit: 'deliveries/s',
  higherIsBetter: true,
  subjectOnly: true,
  needsRedis: true,
  nodes: 4,
  describe: ({ clusterPush: c }) =>
    `four nodes of the module over a local redis-server; ${c.connections} users, a quarter on each node; each user passes every push it receives on to a user on the next node (a pushUser across nodes, ${c.connections} in flight) for ${c.durationMs / 1e3} s (first ${c.warmupMs / 1e3} s not counted); once with \`redis.routing: 'interest'\`, then on fresh nodes with \`'shared'\`; Redis messages counted by a subscriber of the bench's own; server CPU is the four nodes' together`,
  async run(nodes, pool, ctx) {
    // The runner started these nodes just before: they reached Redis no later than now.
    const interest = await pushPhase(nodes, pool, ctx, ctx.relaunch ? 'interest' : 'as served', nowUs());
    let shared: PushDesign | string = 'not measured: the nodes run on another machine (start --serve with REDIS_ROUTING=shared to measure it)';
    if (ctx.relaunch) {
      await pool.reset();
      const fresh = await ctx.relaunch({ REDIS_ROUTING: 'shared' });
      shared = await pushPhase(fresh, pool, ctx, 'shared', nowUs());
    }
    return {
      value: interest.deliveriesPerS,
      p50Ms: interest.p50Ms,
      p99Ms: interest.p99Ms,
      cpuPct: interest.nodesCpuPct,
      cpuUsPerMsg: interest.nodesUsPerDelivery,
      generatorCpuPct: interest.generatorCpuPct,
      errors: interest.errors + (typeof shared === 'string' ? 0 : shared.errors),
      designs: [interest, shared],
    } satisfies Sample;
  },
};

/**
 * One design: users `u0…` in equal blocks on the nodes (user i on node ⌊i / per⌋), each passing pushes on to user
 * i + per, on the next node. Pushes start once interest routes are trusted; CPU and Redis are counted over the
 * window only (after the warm-up, in which the routes are loaded).
 */
async function pushPhase(nodes: ServerHandle[], pool: WorkerPool, ctx: RunContext, routing: PushDesign['routing'], reachedRedisBy: number): Promise<PushDesign> {
  const c = ctx.mode.clusterPush;
  const per = Math.floor(c.connections / nodes.length);
  const users = per * nodes.length;
  for (const [node, server] of nodes.entries()) await connectAcross(pool, server, per, { firstIndex: node * per, node, login: true });
  const redisUrl = process.env.REDIS_URL;
  const observer = redisUrl ? await RedisObserver.connect(redisUrl, PREFIX) : undefined;
  try {
    const startAt = Math.max(nowUs() + START_LEAD_US, reachedRedisBy + ROUTES_TRUSTED_MS * 1e3);
    const windowFrom = startAt + c.warmupMs * 1e3;
    const endAt = startAt + c.durationMs * 1e3;
    const cpus = () => Promise.all(nodes.map((node) => node.cpu()));
    // Beside the load: CPU and Redis counted from the end of the warm-up to the end of the window.
    const counted = (async () => {
      await sleepUntil(windowFrom);
      const [cpu0] = await Promise.all([cpus(), observer?.start()]);
      const from = nowUs();
      await sleepUntil(endAt);
      const cpu1 = await cpus();
      const to = nowUs();
      const count = await observer?.stop();
      return { cpuUs: cpu1.reduce((sum, us, i) => sum + us - cpu0[i], 0), windowUs: to - from, count };
    })();
    const results = await pool.all<LoadResult>(
      () => ({ op: 'pushRing', startAt, windowFrom, endAt, graceMs: c.graceMs, users, stride: per, text: text(ctx.mode) }),
      (endAt - nowUs()) / 1e3 + c.graceMs + 15_000,
    );
    const { cpuUs, windowUs, count } = await counted;
    const merged = merge(results);
    const sent = results.reduce((sum, r) => sum + (r?.sent ?? 0), 0);
    const delivered = merged.count;
    return {
      routing,
      nodes: nodes.length,
      users,
      deliveriesPerS: delivered / ((endAt - windowFrom) / 1e6),
      ...latency(merged.histogram),
      nodesCpuPct: (cpuUs / windowUs) * 100,
      nodesUsPerDelivery: cpuUs / delivered,
      generatorCpuPct: Math.max(...results.map((r) => r?.cpuPct ?? 0)),
      ...(count ? { redis: redisCost(count, delivered, windowUs) } : {}),
      errors: merged.errors + Math.max(0, sent - merged.all),
    };
  } finally {
    observer?.close();
  }
}

function redisCost(count: RedisCount, pushes: number, windowUs: number): NonNullable<PushDesign['redis']> {
  let publications = 0;
  let copies = 0;
  for (const [channel, n] of Object.entries(count.published)) {
    publications += n;
    copies += n * (count.subscribers[channel] ?? 0);
  }
  return {
    publishesPerPush: publications / pushes,
    copiesPerPush: copies / pushes,
    sharedShare: publications === 0 ? 0 : (count.published[SHARED_CHANNEL] ?? 0) / publications,
    usPerPush: count.cpuUs / pushes,
    cpuPct: (count.cpuUs / windowUs) * 100,
  };
}
