import { IpcChild } from './ipc-child.js';
import type { WorkerRequest } from './worker-messages.js';

/** The load generator: several processes, so the generator is not the single-threaded bottleneck. */
export class WorkerPool {
  private constructor(readonly workers: IpcChild[]) {}

  /** `prefix`: how to launch each worker (a `prlimit` prefix when they must hold more sockets than the limit). */
  static async start(size: number, prefix: string[] = []): Promise<WorkerPool> {
    const file = new URL('./load-worker.js', import.meta.url);
    const started = await Promise.all(
      Array.from({ length: size }, async (_, i) => {
        const { child } = await IpcChild.start(`load-worker-${i}`, file, [], 10_000, { prefix });
        return child;
      }),
    );
    return new WorkerPool(started);
  }

  get size(): number {
    return this.workers.length;
  }

  call<T>(index: number, request: WorkerRequest, timeoutMs: number): Promise<T> {
    return this.workers[index].call<T>(request, timeoutMs);
  }

  all<T>(request: (index: number) => WorkerRequest | undefined, timeoutMs: number): Promise<T[]> {
    return Promise.all(
      this.workers.map((worker, i) => {
        const message = request(i);
        return message ? worker.call<T>(message, timeoutMs) : Promise.resolve(undefined as T);
      }),
    );
  }

  async reset(): Promise<void> {
    await this.all(() => ({ op: 'reset' }), 10_000);
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) worker.kill();
    await Promise.all(this.workers.map((worker) => worker.exited));
  }
}
