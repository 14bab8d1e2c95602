import type { ServerSpec } from '../servers/catalog.js';
import type { ServerMemory } from '../servers/serve.js';
import { IpcChild } from './ipc-child.js';

/** A server under test in a process of its own, so its memory and CPU are its alone. */
export class ServerProcess {
  private constructor(
    readonly spec: ServerSpec,
    private readonly child: IpcChild,
    readonly url: string,
  ) {}

  static async start(spec: ServerSpec): Promise<ServerProcess> {
    const file = new URL(`../servers/${spec.file}`, import.meta.url);
    const { child, ready } = await IpcChild.start(spec.id, file, ['--expose-gc'], 15_000);
    if (ready.op !== 'ready') throw new Error(`${spec.id} failed to start: ${ready.error}`);
    // socket.io's client wants the HTTP origin and finds its path itself; the others connect to the path.
    const url = spec.protocol === 'socket.io' ? `http://127.0.0.1:${ready.port}` : `ws://127.0.0.1:${ready.port}${ready.path}`;
    return new ServerProcess(spec, child, url);
  }

  async memory(): Promise<ServerMemory> {
    return (await this.child.call<{ memory: ServerMemory }>({ op: 'memory' }, 10_000)).memory;
  }

  /** User + system CPU time the server has used so far, in µs. */
  async cpu(): Promise<number> {
    return (await this.child.call<{ cpuUs: number }>({ op: 'cpu' }, 10_000)).cpuUs;
  }

  async stop(): Promise<void> {
    await this.child.call({ op: 'stop' }, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill(), 2_000);
    await this.child.exited;
    clearTimeout(timer);
  }
}
