import { type ChildProcess, fork } from 'node:child_process';
import type { DeliveryJson } from 'nestjs-ws-spaces';

const FIXTURE = new URL('../fixtures/cluster-node.mjs', import.meta.url);

export interface NodeLaunch {
  redisUrl: string;
  prefix: string;
  nodeId: string;
  routing: 'interest' | 'shared';
}

/**
 * A cluster node (test/fixtures/cluster-node.mjs, on the built library) in an OS process of its own, driven over
 * the fork IPC channel. Every call has a deadline, so a node that hangs fails the test instead of hanging it, and
 * `stop` ends the process by its PID when it does not leave by itself.
 */
export class NodeProcess {
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly nodeId: string,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(`${nodeId}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`${nodeId} exited (${code}): ${this.output}`));
        this.pending.clear();
        resolve();
      }),
    );
  }

  /** Forks a node and resolves once it listens, with the port its clients use. */
  static async start(launch: NodeLaunch, timeoutMs = 15_000): Promise<{ node: NodeProcess; port: number }> {
    const env = { ...process.env, REDIS_URL: launch.redisUrl, REDIS_PREFIX: launch.prefix, NODE_ID: launch.nodeId, ROUTING: launch.routing };
    const child = fork(FIXTURE, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const node = new NodeProcess(child, launch.nodeId);
    const ready = await new Promise<{ ready: boolean; port?: number; error?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${launch.nodeId} not ready within ${timeoutMs} ms: ${node.output}`)), timeoutMs);
      child.once('message', (message: { ready: boolean; port?: number; error?: string }) => {
        clearTimeout(timer);
        resolve(message);
      });
      void node.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${launch.nodeId} exited before it was ready: ${node.output}`));
      });
    }).catch(async (err) => {
      await node.stop();
      throw err;
    });
    if (!ready.ready) throw new Error(`${launch.nodeId} failed to start: ${ready.error}`);
    return { node, port: ready.port! };
  }

  /** `broker.pushUser` on this node. */
  pushUser(uid: string, name: string, data?: unknown): Promise<DeliveryJson> {
    return this.call({ op: 'pushUser', uid, name, data });
  }

  /** `broker.userNodes` on this node: a cluster-wide query, answered from the presence directory. */
  userNodes(uid: string): Promise<string[]> {
    return this.call({ op: 'userNodes', uid });
  }

  /** Closes the app (it leaves the presence directory), then the process; SIGKILL by PID after a deadline. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.call({ op: 'stop' }, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(timer);
  }

  private call<T>(request: Record<string, unknown>, timeoutMs = 5_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.nodeId}: no answer to ${String(request.op)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      this.child.send({ id, ...request });
    });
  }
}
