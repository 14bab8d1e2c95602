import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { eventually } from './start-app.js';

const run = promisify(execFile);

/**
 * A Redis Cluster of the test's own: `masters` redis-server processes (no replicas) on free loopback ports, in a
 * temporary directory, joined with `redis-cli --cluster create`. Each master can be killed and started again with
 * its own nodes-<port>.conf, so it comes back as the same node owning the same slots. Every process is stopped by
 * its PID.
 */
export class TestRedisCluster {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<TestRedisCluster> {
    const cluster = await TestRedisCluster.reserve(masters);
    await cluster.create();
    return cluster;
  }

  /** Free ports for a cluster that is not running yet: `create()` starts it. */
  static async reserve(masters = 3): Promise<TestRedisCluster> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: keep it in range and distinct.
      if (port + 10_000 <= 65_535 && !ports.includes(port)) ports.push(port);
    }
    return new TestRedisCluster(ports, mkdtempSync(join(tmpdir(), 'ws-redis-cluster-')));
  }

  /** Starts every master, joins them into one cluster and waits for `cluster_state:ok`. */
  async create(): Promise<void> {
    try {
      await Promise.all(this.ports.map((port) => this.restart(port)));
      await run('redis-cli', ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-yes'], { timeout: 30_000 });
      await this.healthy();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** A `CLUSTER INFO` counter (e.g. `cluster_stats_messages_publish_sent`: cluster bus messages), summed over every master. */
  async busCounter(name: string): Promise<number> {
    const infos = await Promise.all(this.ports.map((port) => this.command(port, 'CLUSTER', 'INFO').then(String, () => '')));
    return infos.reduce((sum, info) => sum + Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0), 0);
  }

  /** Calls of a command on every master, summed (`INFO commandstats`, counted since the master started). */
  async calls(command: string): Promise<number> {
    const infos = await Promise.all(this.ports.map((port) => this.command(port, 'INFO', 'commandstats').then(String, () => '')));
    return infos.reduce((sum, info) => sum + Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0), 0);
  }

  /** The startup nodes a client is given: every master. */
  get nodes(): { host: string; port: number }[] {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** Starts (again) the master on `port`, with its own cluster config file, and waits until it answers. */
  async restart(port: number): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--cluster-enabled', 'yes'];
    // A short node timeout: the others notice a killed master, and forget it failed, within seconds.
    args.push('--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1000', '--save', '', '--appendonly', 'no');
    this.children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined); // refused until the server listens
    try {
      const up = await eventually(() => probe.ping().then(() => true, () => false), 10_000);
      if (!up) throw new Error(`redis-server did not start on port ${port}`);
    } finally {
      probe.disconnect();
    }
  }

  /** Resolves once every master reports `cluster_state:ok`; fails after `timeoutMs`. */
  async healthy(timeoutMs = 20_000): Promise<void> {
    const ok = await eventually(async () => {
      const states = await Promise.all(this.ports.map((port) => this.command(port, 'CLUSTER', 'INFO').then(String, () => '')));
      return states.every((info) => info.includes('cluster_state:ok'));
    }, timeoutMs);
    if (!ok) throw new Error(`the cluster did not reach cluster_state:ok within ${timeoutMs} ms`);
  }

  /** The port of the master that owns `key`'s slot (a sharded channel lives there too). */
  async ownerOf(key: string): Promise<number> {
    const slot = Number(await this.command(this.ports[0], 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await this.command(this.ports[0], 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master owns slot ${slot}`);
    return Number(range[2][1]);
  }

  /** Sharded channels with a subscriber, over every master (`PUBSUB SHARDCHANNELS`). */
  async shardChannels(pattern = '*'): Promise<string[]> {
    const lists = await Promise.all(this.ports.map((port) => this.command(port, 'PUBSUB', 'SHARDCHANNELS', pattern).then((r) => r as string[], () => [])));
    return lists.flat().sort();
  }

  /** Plain pub/sub channels with a subscriber, over every master (`PUBSUB CHANNELS`). */
  async plainChannels(pattern = '*'): Promise<string[]> {
    const lists = await Promise.all(this.ports.map((port) => this.command(port, 'PUBSUB', 'CHANNELS', pattern).then((r) => r as string[], () => [])));
    return lists.flat().sort();
  }

  /** Resolves once each sharded channel has at least its count of subscribers (`PUBSUB SHARDNUMSUB` on its owner). */
  async subscribed(counts: Record<string, number>, timeoutMs = 10_000): Promise<void> {
    const ready = async () => {
      for (const [channel, count] of Object.entries(counts)) {
        const owner = await this.ownerOf(channel).catch(() => undefined);
        if (owner === undefined) return false;
        const reply = (await this.command(owner, 'PUBSUB', 'SHARDNUMSUB', channel).catch(() => [])) as Array<string | number>;
        if (Number(reply[1] ?? 0) < count) return false;
      }
      return true;
    };
    if (!(await eventually(ready, timeoutMs))) throw new Error(`not subscribed within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
  }

  /** SIGKILL one master: the way a crash looks to the clients. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * SIGSTOP one master: it stops answering, its connections stay open (a swap storm, a paused VM). Always pair
   * with `thaw()`; `stop()` thaws too.
   */
  freeze(port: number): void {
    const child = this.children.get(port);
    if (child?.exitCode === null) child.kill('SIGSTOP');
  }

  thaw(port: number): void {
    const child = this.children.get(port);
    if (child?.exitCode === null) child.kill('SIGCONT');
  }

  /** Ids of the clients connected to one master now (`CLIENT LIST`), the asking connection's own left out. */
  async clientIds(port: number): Promise<Set<string>> {
    const list = String(await this.command(port, 'CLIENT', 'LIST'));
    const ids = [...list.matchAll(/\bid=(\d+).*?\bcmd=(\S+)/g)].filter((m) => m[2] !== 'client|list').map((m) => m[1]);
    return new Set(ids);
  }

  async stop(): Promise<void> {
    for (const port of this.ports) this.thaw(port);
    await Promise.all(this.ports.map((port) => this.kill(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** One command on one master, over a connection of its own. */
  async command(port: number, ...args: string[]): Promise<unknown> {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined); // a master that is down: the command rejects
    try {
      await client.connect();
      return await client.call(args[0], ...args.slice(1));
    } finally {
      client.disconnect();
    }
  }
}
