import { startChildNode, type ChildNode } from './child-node.js';
import { TestRedis } from './redis-server.js';
import { startApp, type RunningApp } from './start-app.js';
import { closeAllClients } from './ws-client.js';

/** Three nodes of the sample app on one Redis: two in this process, one in a process of its own. */
export interface SampleCluster {
  redis: TestRedis;
  a: RunningApp;
  b: RunningApp;
  /** The built sample app in its own OS process. */
  c: ChildNode;
  close(): Promise<void>;
}

/**
 * Starts a Redis and three sample nodes configured through the sample's environment (`REDIS_PREFIX`,
 * `REDIS_LEASE_TTL` ...; `REDIS_URL` is set here), and resolves once all three listen on the shared channel.
 */
export async function startSampleCluster(env: { REDIS_PREFIX: string } & Record<string, string>): Promise<SampleCluster> {
  const redis = await TestRedis.start();
  const settings = { ...env, REDIS_URL: redis.url };
  Object.assign(process.env, settings);
  const { AppModule } = await import('../../sample/app.module.js');
  const [a, b, c] = await Promise.all([startApp({ imports: [AppModule] }), startApp({ imports: [AppModule] }), startChildNode(settings)]);
  await redis.subscribed({ [`${env.REDIS_PREFIX}:_ws.dispatch`]: 3 });
  return {
    redis,
    a,
    b,
    c,
    async close() {
      await closeAllClients();
      await Promise.all([a.close(), b.close()]);
      await c.stop();
      await redis.stop();
      for (const key of Object.keys(settings)) delete process.env[key];
    },
  };
}
