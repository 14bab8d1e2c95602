import { nowUs } from './clock.js';
import { Histogram } from './histogram.js';
import type { BenchMode } from './modes.js';
import type { ServerHandle } from './server-handle.js';
import { split } from './stats.js';
import type { ConnectResult, LoadResult, WorkerRequest } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';

/** What the scenarios share: opening connections over the workers, merging their results, timing a phase. */

export const CONNECT_TIMEOUT_MS = 10_000;
export const START_LEAD_US = 150_000;
/** Connections per loopback source address: under the 28,232 ephemeral ports Linux gives one address by default. */
export const PER_SOURCE_ADDRESS = 25_000;

/**
 * Source addresses for `total` connections to `url`: none below one address' ephemeral ports, or for a server on
 * another machine (its generator needs several IPs of its own for that); 127.0.0.1, .2, … on loopback, all of
 * which Linux routes to lo without configuration. Connection i uses address floor(i / 25,000), so a curve that adds
 * connections in steps never puts more than 25,000 on one address.
 */
export function loopbackSources(url: string, total: number): string[] | undefined {
  if (total <= PER_SOURCE_ADDRESS || new URL(url).hostname !== '127.0.0.1') return undefined;
  return Array.from({ length: Math.ceil(total / PER_SOURCE_ADDRESS) }, (_, i) => `127.0.0.${i + 1}`);
}

/** Opens `total` connections spread over the workers; throws unless all of them opened. */
export async function connectAcross(
  pool: WorkerPool,
  server: ServerHandle,
  total: number,
  extra: Partial<Extract<WorkerRequest, { op: 'connect' }>> = {},
  timeoutMs = 120_000,
): Promise<void> {
  const shares = split(total, pool.size);
  let firstIndex = extra.firstIndex ?? 0;
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
    request.firstIndex = firstIndex;
    firstIndex += count;
    return request;
  });
  const results = await pool.all<ConnectResult>((i) => (requests[i].count > 0 ? requests[i] : undefined), timeoutMs);
  const failed = results.reduce((sum, r) => sum + (r?.failed ?? 0), 0);
  if (failed > 0) throw new Error(`${failed} of ${total} connections failed: ${results.find((r) => r?.firstError)?.firstError}`);
}

export function merge(results: LoadResult[]): { count: number; all: number; histogram: Histogram; errors: number; missing: number; lastAt: number } {
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
export async function measured(server: ServerHandle, phase: () => Promise<LoadResult[]>) {
  const cpu0 = await server.cpu();
  const t0 = nowUs();
  const result = await phase();
  const cpuUs = (await server.cpu()) - cpu0;
  const merged = merge(result);
  const generatorCpuPct = Math.max(...result.map((r) => r?.cpuPct ?? 0));
  return { result, merged, cpuPct: (cpuUs / (nowUs() - t0)) * 100, cpuUsPerMsg: cpuUs / merged.all, generatorCpuPct };
}

export const latency = (histogram: Histogram) => ({ p50Ms: histogram.percentile(50) / 1e3, p99Ms: histogram.percentile(99) / 1e3 });
export const text = (mode: BenchMode) => 'x'.repeat(mode.payloadChars);
