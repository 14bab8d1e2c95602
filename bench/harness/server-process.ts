import type { ServerSpec } from '../servers/catalog.js';
import type { ServerMemory } from '../servers/serve.js';
import { fdLaunch } from './fd-limit.js';
import { IpcChild } from './ipc-child.js';
import { clientUrl, type ServerHandle } from './server-handle.js';

export interface ServerLaunch {
  /** The address to bind (default loopback); `0.0.0.0` for `--serve`. */
  host?: string;
  /** The port to bind (default a free one). */
  port?: number;
  /** File descriptors the server must be able to hold (the scale scenarios); raised with prlimit when needed. */
  fds?: number;
  /** Added to the server's environment (another design of the same server, e.g. `REDIS_ROUTING`). */
  env?: Record<string, string>;
}

/** A server under test in a process of its own, so its memory and CPU are its alone. */
export class ServerProcess implements ServerHandle {
  private constructor(
    readonly spec: ServerSpec,
    private readonly child: IpcChild,
    readonly url: string,
    readonly httpOrigin: string,
    readonly port: number,
  ) {}

  static async start(spec: ServerSpec, launch: ServerLaunch = {}): Promise<ServerProcess> {
    const file = new URL(`../servers/${spec.file}`, import.meta.url);
    const limit = launch.fds === undefined ? { prefix: [] } : fdLaunch(launch.fds);
    if ('reason' in limit) throw new Error(`${spec.id}: ${limit.reason}`);
    const env = { ...launch.env, BENCH_HOST: launch.host ?? '127.0.0.1', BENCH_PORT: String(launch.port ?? 0) };
    // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (see bench/README.md).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const { child, ready } = await IpcChild.start(spec.id, file, ['--expose-gc', ...profile], 15_000, { prefix: limit.prefix, env });
    if (ready.op !== 'ready') throw new Error(`${spec.id} failed to start: ${ready.error}`);
    // A server bound to every address is reached locally through loopback.
    const host = !launch.host || launch.host === '0.0.0.0' ? '127.0.0.1' : launch.host;
    return new ServerProcess(spec, child, clientUrl(spec, host, ready.port, ready.path), `http://${host}:${ready.port}`, ready.port);
  }

  async memory(): Promise<ServerMemory> {
    return (await this.child.call<{ memory: ServerMemory }>({ op: 'memory' }, 10_000)).memory;
  }

  async cpu(): Promise<number> {
    return (await this.child.call<{ cpuUs: number }>({ op: 'cpu' }, 10_000)).cpuUs;
  }

  logMark(): number {
    return this.child.logMark;
  }

  logSince(mark: number): string {
    return this.child.logSince(mark);
  }

  async stop(): Promise<void> {
    await this.child.call({ op: 'stop' }, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill(), 2_000);
    await this.child.exited;
    clearTimeout(timer);
  }
}
