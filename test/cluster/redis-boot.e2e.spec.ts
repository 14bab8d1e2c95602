import { type WsRedisOptions, WsBroker, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { Login } from '../fixtures/login.fixture.js';
import { TestRedisCluster } from '../helpers/redis-cluster.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

/**
 * Two nodes boot against a Redis that is not there yet: each serves its own sessions at once (a send to many
 * delivers locally and reports the cluster failure), and they reach each other once Redis answers.
 */
async function bootBeforeRedis(redis: WsRedisOptions, bringUp: () => Promise<void>, within: number, apps: RunningApp[]): Promise<void> {
  const [a, b] = await Promise.all([1, 2].map(() => startApp({ imports: [WsModule.forRoot({ redis })], providers: [Login] })));
  apps.push(a, b);
  const onA = await connect(a.wsUrl());
  const onB = await connect(b.wsUrl());
  await onA.request('login', { uid: 'early' });
  await onB.request('login', { uid: 'early' });

  const alone = await a.app.get(WsBroker).pushUser('early', 'local-only');
  expect(alone).toMatchObject({ hit: 1, success: 1, nodes: 0 });
  expect(alone.firstError).toBeInstanceOf(Error);

  await bringUp();
  const heard = await eventually(async () => {
    await a.app.get(WsBroker).pushUser('early', 'across');
    return onB.nextWhere((e) => e.name === 'across', 300).then(() => true, () => false); // paces the retries
  }, within);
  expect(heard).toBe(true);
}

describe('A node that boots while Redis is down', () => {
  let redis: TestRedis | undefined;
  let cluster: TestRedisCluster | undefined;
  const apps: RunningApp[] = [];

  afterEach(async () => {
    await closeAllClients();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await redis?.stop();
    await cluster?.stop();
  }, 30_000);

  it('serves its own sessions at once, and joins the others as soon as Redis answers', async () => {
    redis = await TestRedis.reserve();
    const standalone = redis;
    await bootBeforeRedis({ url: standalone.url, keyPrefix: `boot${process.pid}` }, () => standalone.restart(), 10_000, apps);
  }, 30_000);

  it('does the same on a Redis Cluster, once the cluster answers', async () => {
    cluster = await TestRedisCluster.reserve(3);
    const shards = cluster;
    await bootBeforeRedis({ cluster: shards.nodes, keyPrefix: `rcboot${process.pid}`, publishTimeout: 500 }, () => shards.create(), 20_000, apps);
  }, 60_000);
});
