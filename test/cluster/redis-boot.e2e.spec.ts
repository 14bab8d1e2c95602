import { WsBroker, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { Login } from '../fixtures/login.fixture.js';
import { TestRedis } from '../helpers/redis-server.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('A node that boots while Redis is down', () => {
  let redis: TestRedis;
  const apps: RunningApp[] = [];

  afterAll(async () => {
    await closeAllClients();
    await Promise.all(apps.map((app) => app.close()));
    await redis?.stop();
  });

  it('serves its own sessions at once, and joins the others as soon as Redis answers', async () => {
    redis = await TestRedis.reserve();
    const options = { redis: { url: redis.url, keyPrefix: `boot${process.pid}` } };
    const [a, b] = await Promise.all([1, 2].map(() => startApp({ imports: [WsModule.forRoot(options)], providers: [Login] })));
    apps.push(a, b);
    const onA = await connect(a.wsUrl());
    const onB = await connect(b.wsUrl());
    await onA.request('login', { uid: 'early' });
    await onB.request('login', { uid: 'early' });

    const alone = await a.app.get(WsBroker).pushUser('early', 'local-only');
    expect(alone).toMatchObject({ hit: 1, success: 1, nodes: 0 });
    expect(alone.firstError).toBeInstanceOf(Error);

    await redis.restart();
    let heard = false;
    const started = Date.now();
    while (!heard && Date.now() - started < 10_000) {
      await a.app.get(WsBroker).pushUser('early', 'across');
      heard = await onB.nextWhere((e) => e.name === 'across', 300).then(() => true, () => false); // paces the retries
    }
    expect(heard).toBe(true);
  }, 30_000);
});
