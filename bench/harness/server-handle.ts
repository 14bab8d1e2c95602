import type { ServerSpec } from '../servers/catalog.js';
import type { ServerMemory } from '../servers/serve.js';

/**
 * A server under test as a scenario sees it: where clients connect, and its CPU time and memory. A local server
 * is a child process (`ServerProcess`); one on another machine is reached through `--serve`'s control endpoint
 * (`RemoteServer`).
 */
export interface ServerHandle {
  readonly spec: ServerSpec;
  /** Where clients connect. */
  readonly url: string;
  /** The HTTP origin of the same server (the module's `/ws/metrics` lives there). */
  readonly httpOrigin: string;
  memory(): Promise<ServerMemory>;
  /** User + system CPU time the server has used so far, in µs. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
  /** A mark in the server's log, and what it logged since (warnings: a local server only). */
  logMark?(): number;
  logSince?(mark: number): string;
}

/** The counters of the module's `GET /ws/metrics` (totals), or undefined when the server has none or is unreachable. */
export async function moduleMetrics(server: ServerHandle): Promise<Record<string, number> | undefined> {
  if (!server.spec.subject) return undefined;
  try {
    const response = await fetch(`${server.httpOrigin}/ws/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    return ((await response.json()) as { total: Record<string, number> }).total;
  } catch {
    return undefined;
  }
}

/** The URL clients use for a server of `spec` at `host:port`: socket.io's client wants the origin and finds its path. */
export function clientUrl(spec: ServerSpec, host: string, port: number, path: string): string {
  return spec.protocol === 'socket.io' ? `http://${host}:${port}` : `ws://${host}:${port}${path}`;
}
