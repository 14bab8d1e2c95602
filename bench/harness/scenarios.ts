import { nowUs, sleep } from './clock.js';
import { Histogram } from './histogram.js';
import type { BenchMode } from './modes.js';
import { ServerProcess } from './server-process.js';
import { split } from './stats.js';
import type { ConnectResult, LoadResult, WorkerRequest } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';

export type ScenarioId = 'echo' | 'fanout' | 'groupcast' | 'idle' | 'cluster';

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
  /** Needs a redis-server: the runner starts one and sets REDIS_URL for the servers it forks. */
  needsRedis?: boolean;
  describe(mode: BenchMode): string;
  run(server: ServerProcess, pool: WorkerPool, mode: BenchMode): Promise<Sample>;
}

const CONNECT_TIMEOUT_MS = 10_000;
const START_LEAD_US = 150_000;

/** Opens `total` connections spread over the workers; throws unless all of them opened. */
async function connectAcross(
  pool: WorkerPool,
  server: ServerProcess,
  total: number,
  extra: Partial<Extract<WorkerRequest, { op: 'connect' }>> = {},
): Promise<void> {
  const shares = split(total, pool.size);
  let firstIndex = 0;
  const requests = shares.map((count) => {
    const request: WorkerRequest = {
      op: 'connect',
      url: server.url,
      protocol: server.spec.protocol,
      count,
      firstIndex,
      role: 'peer',
      concurrency: 64,
      timeoutMs: CONNECT_TIMEOUT_MS,
      ...extra,
    };
    firstIndex += count;
    return request;
  });
  const results = await pool.all<ConnectResult>((i) => (requests[i].count > 0 ? requests[i] : undefined), 120_000);
  const failed = results.reduce((sum, r) => sum + (r?.failed ?? 0), 0);
  if (failed > 0) throw new Error(`${failed} of ${total} connections failed: ${results.find((r) => r?.firstError)?.firstError}`);
}

function merge(results: LoadResult[]): { count: number; all: number; histogram: Histogram; errors: number; missing: number; lastAt: number } {
  const histogram = new Histogram();
  let count = 0;
  let all = 0;
  let errors = 0;
  let missing = 0;
  let lastAt = 0;
  for (const result of results) {
    if (!result) continue;
    histogram.merge(result.histogram);
    count += result.count;
    all += result.all;
    errors += result.errors;
    missing += result.missing;
    lastAt = Math.max(lastAt, result.lastAt);
  }
  return { count, all, histogram, errors, missing, lastAt };
}

/** Runs a measured phase, reading the server's CPU time around it. */
async function measured(server: ServerProcess, phase: () => Promise<LoadResult[]>) {
  const cpu0 = await server.cpu();
  const t0 = nowUs();
  const result = await phase();
  const cpuUs = (await server.cpu()) - cpu0;
  const merged = merge(result);
  const generatorCpuPct = Math.max(...result.map((r) => r?.cpuPct ?? 0));
  return { result, merged, cpuPct: (cpuUs / (nowUs() - t0)) * 100, cpuUsPerMsg: cpuUs / merged.all, generatorCpuPct };
}

const latency = (histogram: Histogram) => ({ p50Ms: histogram.percentile(50) / 1e3, p99Ms: histogram.percentile(99) / 1e3 });
const text = (mode: BenchMode) => 'x'.repeat(mode.payloadChars);

const echo: Scenario = {
  id: 'echo',
  title: 'Echo',
  unit: 'replies/s',
  higherIsBetter: true,
  describe: ({ echo: e }) => `${e.connections} connections, each in a closed request/reply loop for ${e.durationMs / 1e3} s (first ${e.warmupMs / 1e3} s not counted)`,
  async run(server, pool, mode) {
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
  run: (server, pool, mode) => runFanout(server, pool, mode),
};

/**
 * Fan-out: subscribers on `server` (and half of them on `second`, when given), one publisher on `server`. The
 * publisher's own copy of each broadcast is its acknowledgement, so `window` broadcasts stay in flight.
 */
async function runFanout(server: ServerProcess, pool: WorkerPool, mode: BenchMode, second?: ServerProcess): Promise<Sample> {
  const f = mode.fanout;
  if (second) {
    await connectAcross(pool, server, Math.ceil(f.subscribers / 2));
    await connectAcross(pool, second, Math.floor(f.subscribers / 2));
  } else {
    await connectAcross(pool, server, f.subscribers);
  }
  // The publisher connects last, so a server that writes in connection order acknowledges it last.
  await pool.call(0, { op: 'connect', url: server.url, protocol: server.spec.protocol, count: 1, firstIndex: 0, role: 'publisher', concurrency: 1, timeoutMs: CONNECT_TIMEOUT_MS }, 15_000);
  const startAt = nowUs() + START_LEAD_US;
  const deadlineAt = startAt + f.timeoutMs * 1e3;
  const { result, merged, cpuPct, cpuUsPerMsg, generatorCpuPct } = await measured(server, () =>
    pool.all<LoadResult>(
      (i) => ({
        op: 'fanout',
        deadlineAt,
        expectedPerConn: f.messages,
        publish: i === 0 ? { startAt, messages: f.messages, window: f.window, text: text(mode) } : undefined,
      }),
      f.timeoutMs + 15_000,
    ),
  );
  const firstSentAt = result[0]?.firstSentAt ?? startAt;
  return {
    value: merged.count / ((merged.lastAt - firstSentAt) / 1e6),
    ...latency(merged.histogram),
    cpuPct,
    cpuUsPerMsg,
    generatorCpuPct,
    errors: merged.errors + merged.missing,
  };
}

const groupcast: Scenario = {
  id: 'groupcast',
  title: 'Groupcast (many small groups)',
  unit: 'deliveries/s',
  higherIsBetter: true,
  describe: ({ groupcast: g }) =>
    `${g.connections} connections in ${g.connections / g.groupSize} groups of ${g.groupSize}; one publisher per group in a closed loop for ${g.durationMs / 1e3} s (first ${g.warmupMs / 1e3} s not counted)`,
  async run(server, pool, mode) {
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
  async run(server, pool, mode) {
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
  describe: ({ fanout: f }) =>
    `two nodes of the module over a local redis-server; ${f.subscribers} connections, half on each; one on the first node publishes ${f.messages} broadcasts, ${f.window} in flight (server CPU is the first node's)`,
  async run(server, pool, mode) {
    const second = await ServerProcess.start(server.spec);
    try {
      return await runFanout(server, pool, mode, second);
    } finally {
      await second.stop();
    }
  },
};

export const SCENARIOS: Scenario[] = [echo, fanout, groupcast, idle, cluster];
