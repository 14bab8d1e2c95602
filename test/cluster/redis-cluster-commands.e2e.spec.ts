import { Cluster } from 'ioredis';
import { WsModule } from 'nestjs-ws-spaces';
import { type ClusterTransport, WS_CLUSTER_TRANSPORT } from '../../lib/cluster/cluster-transport.interface.js';
import { redisCommands } from '../../lib/cluster/redis/redis-commands.js';
import { TestRedisCluster } from '../helpers/redis-cluster.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

describe('The transport\'s command client, on a standalone Redis', () => {
  let redis: TestRedis;
  let node: RunningApp;

  afterAll(async () => {
    await node?.close();
    await redis?.stop();
  });

  it('runs plain key commands on the dispatch Redis, fails at once while Redis is away, and works again after', async () => {
    redis = await TestRedis.start();
    node = await startApp({ imports: [WsModule.forRoot({ redis: { url: redis.url, keyPrefix: `cmd${process.pid}`, publishTimeout: 500 } })] });
    const transport = node.app.get<ClusterTransport>(WS_CLUSTER_TRANSPORT);
    const commands = redisCommands(transport)!;
    expect(redisCommands(transport)).toBe(commands); // one client, made on first use
    expect(await eventually(() => commands.status === 'ready', 5000)).toBe(true);
    await commands.set('k', 'v', 'PX', 10_000);
    expect(await commands.get('k')).toBe('v');
    expect(await commands.eval("return redis.call('HSET', KEYS[1], 'f', ARGV[1])", 1, 'h', 'x')).toBe(1);

    await redis.kill();
    const started = Date.now();
    await expect(commands.get('k')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500 + 1000);

    await redis.restart();
    expect(await eventually(() => commands.status === 'ready', 10_000)).toBe(true);
    await commands.set('k2', 'back');
    expect(await commands.get('k2')).toBe('back');
  }, 30_000);
});

describe('The transport\'s command client, on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let node: RunningApp;

  afterAll(async () => {
    await node?.close();
    await cluster?.stop();
  }, 30_000);

  it('is an ioredis Cluster routing each key to its master, and fails a command on a master that is down within the timeout', async () => {
    cluster = await TestRedisCluster.start(3);
    node = await startApp({ imports: [WsModule.forRoot({ redis: { cluster: cluster.nodes, keyPrefix: `cmdc${process.pid}`, publishTimeout: 500 } })] });
    const commands = redisCommands(node.app.get<ClusterTransport>(WS_CLUSTER_TRANSPORT))!;
    expect(commands).toBeInstanceOf(Cluster);
    // Each master's connection opens once the cluster is up; until it is ready, commands to it fail at once.
    expect(await eventually(() => commands.status === 'ready' && (commands as Cluster).nodes('master').every((n) => n.status === 'ready'), 10_000)).toBe(true);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const key of keys) await commands.set(key, key.toUpperCase(), 'PX', 10_000);
    expect(new Set(await Promise.all(keys.map((key) => cluster.ownerOf(key)))).size).toBeGreaterThan(1); // spread over masters
    expect(await Promise.all(keys.map((key) => commands.get(key)))).toEqual(keys.map((key) => key.toUpperCase()));
    // Keys of one script share a hash tag, so they share a slot.
    expect(await commands.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('HSET', KEYS[2], 'f', ARGV[1])", 2, '{p}k', '{p}h', 'x')).toBe(1);

    const owner = await cluster.ownerOf('a');
    await cluster.kill(owner);
    const started = Date.now();
    await expect(commands.get('a')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500 + 1000);
  }, 60_000);
});
