import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { eventually } from './start-app.js';

/**
 * A redis-server of the test's own, on a free loopback port, stopped by its PID. It can be killed and started
 * again on the same port, to test what Redis going away does.
 */
export class TestRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = await TestRedis.reserve();
    await redis.restart();
    return redis;
  }

  /** A free port for a Redis that is not running yet: `restart()` starts it. */
  static async reserve(): Promise<TestRedis> {
    return new TestRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Resolves once each channel has at least its count of subscribers (Redis `PUBSUB NUMSUB`): the nodes listen
   * before a test publishes. Fails after `timeoutMs`.
   */
  async subscribed(counts: Record<string, number>, timeoutMs = 10_000): Promise<void> {
    const probe = new Redis(this.port, '127.0.0.1');
    try {
      const channels = Object.keys(counts);
      const ready = async () => {
        const reply = (await probe.pubsub('NUMSUB', ...channels)) as Array<string | number>;
        return channels.every((channel, i) => Number(reply[2 * i + 1]) >= counts[channel]);
      };
      if (!(await eventually(ready, timeoutMs))) throw new Error(`not subscribed within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    } finally {
      probe.disconnect();
    }
  }

  /**
   * Publishes from a connection of its own. As a fence: Redis runs it after every publish it already ran, so a
   * subscriber sees it after them.
   */
  async publish(channel: string, message = ''): Promise<void> {
    const publisher = new Redis(this.port, '127.0.0.1');
    try {
      await publisher.publish(channel, message);
    } finally {
      publisher.disconnect();
    }
  }

  /** SIGKILL: the way a crash looks to the clients. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * SIGSTOP: the process stops answering but its connections stay open, as a Redis stuck in a fork, a swap storm
   * or a paused VM looks to its clients. Always pair with `thaw()` (in a finally or afterAll).
   */
  freeze(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGSTOP');
  }

  /** SIGCONT: a frozen Redis answers again. */
  thaw(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGCONT');
  }

  stop(): Promise<void> {
    this.thaw();
    return this.kill();
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}
