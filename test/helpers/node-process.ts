import type { DeliveryJson } from 'nestjs-ws-spaces';
import { IpcChild } from '../../bench/harness/ipc-child.js';

const FIXTURE = new URL('../fixtures/cluster-node.mjs', import.meta.url);
const CALL_TIMEOUT_MS = 5_000;

export interface NodeLaunch {
  redisUrl: string;
  prefix: string;
  nodeId: string;
  routing: 'interest' | 'shared';
}

/**
 * A cluster node (test/fixtures/cluster-node.mjs, on the built library) in an OS process of its own, driven over
 * the fork IPC channel by the bench's `IpcChild`: every call has a deadline, so a node that hangs fails the test
 * instead of hanging it, and `stop` ends the process by its PID when it does not leave by itself.
 */
export class NodeProcess {
  private constructor(
    private readonly child: IpcChild,
    readonly nodeId: string,
  ) {}

  /** Forks a node and resolves once it listens, with the port its clients use. */
  static async start(launch: NodeLaunch, timeoutMs = 15_000): Promise<{ node: NodeProcess; port: number }> {
    const env = { REDIS_URL: launch.redisUrl, REDIS_PREFIX: launch.prefix, NODE_ID: launch.nodeId, ROUTING: launch.routing };
    const { child, ready } = await IpcChild.start(launch.nodeId, FIXTURE, [], timeoutMs, { env });
    const node = new NodeProcess(child, launch.nodeId);
    const started = ready as { ready: boolean; port?: number; error?: string };
    if (!started.ready) {
      await node.stop();
      throw new Error(`${launch.nodeId} failed to start: ${started.error}`);
    }
    return { node, port: started.port! };
  }

  /** `broker.pushUser` on this node. */
  pushUser(uid: string, name: string, data?: unknown): Promise<DeliveryJson> {
    return this.child.call({ op: 'pushUser', uid, name, data }, CALL_TIMEOUT_MS);
  }

  /** `broker.userNodes` on this node: a cluster-wide query, answered from the presence directory. */
  userNodes(uid: string): Promise<string[]> {
    return this.child.call({ op: 'userNodes', uid }, CALL_TIMEOUT_MS);
  }

  /** Closes the app (it leaves the presence directory), then the process; SIGKILL by PID after a deadline. */
  async stop(): Promise<void> {
    await this.child.call({ op: 'stop' }, CALL_TIMEOUT_MS).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill(), 2_000);
    await this.child.exited;
    clearTimeout(timer);
  }
}
