import { nowUs } from './clock.js';
import type { BenchMode } from './modes.js';
import { connectAcross, CONNECT_TIMEOUT_MS, latency, loopbackSources, measured, START_LEAD_US, text } from './scenario-kit.js';
import type { FanoutAccounting, Sample } from './scenarios.js';
import { moduleMetrics, type ServerHandle } from './server-handle.js';
import { split } from './stats.js';
import type { LoadResult } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';

export interface FanoutSize {
  subscribers: number;
  messages: number;
  window: number;
  timeoutMs: number;
  /** Broadcasts per publish, all in one server turn (1: a plain `broadcast`). */
  burst?: number;
}

/** The module's counters that say where a cross-node delivery went. */
const ACCOUNTED = ['messagesOut', 'dropped', 'slowClosed', 'writeTimeouts', 'clusterPublished', 'clusterFailures', 'clusterReceived', 'clusterRejected', 'seqGaps', 'handlerErrors'];

/**
 * Fan-out: subscribers split over `nodes` (one node, or the cluster's two), one publisher on the first node. The
 * publisher's own copy of each publish is its acknowledgement, so `window` publishes stay in flight; with more than
 * one node, a witness connection on each other node must have its copy too, so the window paces the slowest node.
 * Every run accounts for its deliveries: sent, expected and received per node, and the module's counters.
 */
export async function runFanout(nodes: ServerHandle[], pool: WorkerPool, mode: BenchMode, size: FanoutSize): Promise<Sample> {
  const burst = size.burst ?? 1;
  const shares = split(size.subscribers, nodes.length);
  let firstIndex = 0;
  for (const [node, server] of nodes.entries()) {
    await connectAcross(pool, server, shares[node], { node, firstIndex, localAddresses: loopbackSources(server.url, shares[node]) });
    firstIndex += shares[node];
  }
  // The publisher and the witnesses connect last, so a server that writes in connection order acknowledges them last.
  for (const [node, server] of nodes.entries()) {
    const role = node === 0 ? 'publisher' : 'witness';
    await pool.call(0, { op: 'connect', url: server.url, protocol: server.spec.protocol, count: 1, firstIndex: 0, role, node, concurrency: 1, timeoutMs: CONNECT_TIMEOUT_MS }, 15_000);
  }
  const before = await Promise.all(nodes.map(moduleMetrics));
  const marks = nodes.map((node) => node.logMark?.());
  const startAt = nowUs() + START_LEAD_US;
  const deadlineAt = startAt + size.timeoutMs * 1e3;
  const expectedPerConn = size.messages * burst;
  const { result, merged, cpuPct, cpuUsPerMsg, generatorCpuPct } = await measured(nodes[0], () =>
    pool.all<LoadResult>(
      (i) => ({
        op: 'fanout',
        deadlineAt,
        expectedPerConn,
        publish: i === 0 ? { startAt, messages: size.messages, window: size.window, burst, text: text(mode) } : undefined,
      }),
      size.timeoutMs + 15_000,
    ),
  );
  const after = await Promise.all(nodes.map(moduleMetrics));
  const accounting: FanoutAccounting = {
    sent: result[0]?.sent ?? 0,
    nodes: nodes.map((server, node) => {
      const subscribers = result.reduce((sum, r) => sum + (r?.byNode?.[node]?.subscribers ?? 0), 0);
      const counters = before[node] && after[node] ? Object.fromEntries(ACCOUNTED.map((k) => [k, (after[node]![k] ?? 0) - (before[node]![k] ?? 0)])) : undefined;
      return {
        url: server.url,
        subscribers,
        expected: subscribers * expectedPerConn,
        received: result.reduce((sum, r) => sum + (r?.byNode?.[node]?.received ?? 0), 0),
        ...(counters ? { counters } : {}),
        ...logOf(server, marks[node]),
      };
    }),
  };
  const firstSentAt = result[0]?.firstSentAt ?? startAt;
  return {
    value: merged.count / ((merged.lastAt - firstSentAt) / 1e6),
    ...latency(merged.histogram),
    cpuPct,
    cpuUsPerMsg,
    generatorCpuPct,
    errors: merged.errors + merged.missing,
    accounting,
  };
}

/** What a node logged during the run, the lines that explain losses (the module logs them once per burst), bounded. */
function logOf(server: ServerHandle, mark: number | undefined): { log?: string[] } {
  if (mark === undefined || !server.logSince) return {};
  const lines = server.logSince(mark).split('\n').map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').trim()).filter(Boolean);
  return lines.length ? { log: lines.slice(0, 10) } : {};
}
