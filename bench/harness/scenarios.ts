import { nowUs, sleep } from './clock.js';
import { runFanout } from './fanout-run.js';
import type { BenchMode } from './modes.js';
import { connectAcross, latency, measured, START_LEAD_US, text } from './scenario-kit.js';
import type { ServerHandle } from './server-handle.js';
import type { LoadResult } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';
import { idleCurve, scaleFanout } from './scale-scenarios.js';
import { clusterPush, type PushDesign } from './cluster-push.js';

export type ScenarioId = 'echo' | 'fanout' | 'fanout10' | 'groupcast' | 'idle' | 'cluster' | 'cluster-push' | 'fanout-10k' | 'idle-curve';

/** One point of the idle-memory curve: per-connection cost at `connections`, or why that point did not run. */
export interface CurvePoint {
  connections: number;
  rssPerConn?: number;
  heapPerConn?: number;
  skipped?: string;
}

/** One scenario run against one server. `value` is the scenario's headline figure. */
export interface Sample {
  value: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Server CPU over the measured phase, in % of one core. */
  cpuPct?: number;
  /**
   * Server CPU time per message received by the clients, in µs. Less sensitive than throughput to other load on
   * the machine, since it counts the server's own work rather than wall time.
   */
  cpuUsPerMsg?: number;
  /** The busiest load worker's CPU in % of one core; near 100, the figure is the generator's limit, not the server's. */
  generatorCpuPct?: number;
  heapPerConn?: number;
  errors: number;
  /** The idle-memory curve. */
  curve?: CurvePoint[];
  /** Where deliveries went, for fan-out across nodes: what was sent, and per node what arrived and its counters. */
  accounting?: FanoutAccounting;
  /** cluster-push: each routing design's figures, or why it was not measured. */
  designs?: Array<PushDesign | string>;
}

/** Sent against received, per node, with the node's own counters: where a missing delivery was lost. */
export interface FanoutAccounting {
  /** Publishes the publisher sent (each asked for `burst` broadcasts). */
  sent: number;
  nodes: Array<{
    url: string;
    subscribers: number;
    expected: number;
    received: number;
    /** The module's `/ws/metrics` counters over the run (after minus before), when the server has them. */
    counters?: Record<string, number>;
    /** What the node logged during the run (warnings: a publish that timed out, a Redis connection reset). */
    log?: string[];
  }>;
}

/** What a scenario is given besides its servers. */
export interface RunContext {
  mode: BenchMode;
  /** File descriptors each server process can hold (Infinity when unknown, e.g. a remote server). */
  serverFds: number;
  /** Why the server could not be given the descriptors the scenario asked for, when it could not. */
  fdReason?: string;
  /** Connections the load workers can hold between them. */
  generatorCapacity: number;
  /**
   * Stops the scenario's nodes and starts as many fresh ones with `env` added to their environment (another
   * design of the same server), which the runner stops after the run. Only where the bench starts the nodes itself.
   */
  relaunch?(env: Record<string, string>): Promise<ServerHandle[]>;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  /** Set when the scenario cannot run on this branch; it keeps its slot in the output. */
  pending?: string;
  /** Runs against the subject only (no baseline has the feature); baselines show "–". */
  subjectOnly?: boolean;
  /** The baselines it runs against, when not every one (the subject always runs). */
  servers?: string[];
  /** Servers of the same kind the scenario needs (the cluster: two nodes; cluster-push: four). */
  nodes?: number;
  /** File descriptors each server process needs, when more than a small scenario's (the scale scenarios). */
  fds?(mode: BenchMode): number;
  /** Needs a redis-server: the runner starts one and sets REDIS_URL for the servers it forks. */
  needsRedis?: boolean;
  describe(mode: BenchMode): string;
  run(nodes: ServerHandle[], pool: WorkerPool, ctx: RunContext): Promise<Sample>;
}

const echo: Scenario = {
  id: 'echo',
  title: 'Echo',
  unit: 'replies/s',
  higherIsBetter: true,
  describe: ({ echo: e }) => `${e.connections} connections, each in a closed request/reply loop for ${e.durationMs / 1e3} s (first ${e.warmupMs / 1e3} s not counted)`,
  async run([server], pool, { mode }) {
    const e = mode.echo;
    await connectAcross(pool, server, e.connections);
    const startAt = nowUs() + START_LEAD_US;
    const windowFrom = startAt + e.warmupMs * 1e3;
    const endAt = startAt + e.durationMs * 1e3;
    const { merged, cpuPct, cpuUsPerMsg, generatorCpuPct } = await measured(server, () =>
      pool.all<LoadResult>(() => ({ op: 'echo', startAt, windowFrom, endAt, maxPerConn: e.maxPerConn, text: text(mode) }), e.durationMs + 15_000),
    );
    return { value: merged.count / ((endAt - windowFrom) / 1e6), ...latency(merged.histogram), cpuPct, cpuUsPerMsg, generatorCpuPct, errors: merged.errors };
  },
};

const fanout: Scenario = {
  id: 'fanout',
  title: 'Fan-out (broadcast)',
  unit: 'deliveries/s',
  higherIsBetter: true,
  describe: ({ fanout: f }) => `${f.subscribers} connections; one more publishes ${f.messages} broadcasts, ${f.window} in flight; latency is publish to receipt`,
  run: (nodes, pool, { mode }) => runFanout(nodes, pool, mode, mode.fanout),
};

/** Write coalescing: each publish makes the server broadcast `burst` times in one turn. */
const fanoutBurst: Scenario = {
  id: 'fanout10',
  title: 'Fan-out, 10 broadcasts per turn',
  unit: 'deliveries/s',
  higherIsBetter: true,
  servers: ['ws-coalesce', 'ws-tuned', 'socket.io'],
  describe: ({ fanoutBurst: f }) =>
    `${f.subscribers} connections; one more sends ${f.messages} \`burst\` messages, each answered with ${f.burst} broadcasts in one event-loop turn, ${f.window} in flight; server µs / msg is per delivery`,
  run: (nodes, pool, { mode }) => runFanout(nodes, pool, mode, mode.fanoutBurst),
};

const groupcast: Scenario = {
  id: 'groupcast',
  title: 'Groupcast (many small groups)',
  unit: 'deliveries/s',
  higherIsBetter: true,
  describe: ({ groupcast: g }) =>
    `${g.connections} connections in ${g.connections / g.groupSize} groups of ${g.groupSize}; one publisher per group in a closed loop for ${g.durationMs / 1e3} s (first ${g.warmupMs / 1e3} s not counted)`,
  async run([server], pool, { mode }) {
    const g = mode.groupcast;
    await connectAcross(pool, server, g.connections, { groupSize: g.groupSize });
    const startAt = nowUs() + START_LEAD_US;
    const windowFrom = startAt + g.warmupMs * 1e3;
    const endAt = startAt + g.durationMs * 1e3;
    const { merged, cpuPct, cpuUsPerMsg, generatorCpuPct } = await measured(server, () =>
      pool.all<LoadResult>(
        () => ({ op: 'groupcast', startAt, windowFrom, endAt, graceMs: 300, maxPerPublisher: g.maxPerPublisher, text: text(mode) }),
        g.durationMs + 15_000,
      ),
    );
    return { value: merged.count / ((endAt - windowFrom) / 1e6), ...latency(merged.histogram), cpuPct, cpuUsPerMsg, generatorCpuPct, errors: merged.errors };
  },
};

const idle: Scenario = {
  id: 'idle',
  title: 'Idle memory',
  unit: 'bytes RSS / connection',
  higherIsBetter: false,
  describe: ({ idle: i }) => `${i.connections} idle connections; server RSS and heap after a full GC, minus the same before connecting, per connection`,
  async run([server], pool, { mode }) {
    const i = mode.idle;
    const before = await server.memory();
    await connectAcross(pool, server, i.connections);
    await sleep(i.settleMs);
    const after = await server.memory();
    return {
      value: (after.rss - before.rss) / i.connections,
      heapPerConn: (after.heapUsed - before.heapUsed) / i.connections,
      errors: 0,
    };
  },
};

const cluster: Scenario = {
  id: 'cluster',
  title: 'Cluster fan-out (two nodes over Redis)',
  unit: 'deliveries/s',
  higherIsBetter: true,
  subjectOnly: true,
  needsRedis: true,
  nodes: 2,
  describe: ({ fanout: f }) =>
    `two nodes of the module over a local redis-server; ${f.subscribers} connections, half on each; one on the first node publishes ${f.messages} broadcasts, ${f.window} in flight, acknowledged once a witness on each node has it (server CPU is the first node's)`,
  run: (nodes, pool, { mode }) => runFanout(nodes, pool, mode, mode.fanout),
};

export const SCENARIOS: Scenario[] = [echo, fanout, fanoutBurst, groupcast, idle, cluster, clusterPush, scaleFanout, idleCurve];
