import { Controller } from '@nestjs/common';
import { ClientRedis, Ctx, EventPattern, Payload, RedisContext } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { WsModule } from 'nestjs-ws-spaces';
import { RedisDispatchServer } from '../../lib/cluster/redis/redis-dispatch.server.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { Login } from '../fixtures/login.fixture.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, startApp } from '../helpers/start-app.js';

const received: { data: unknown; channel: string }[] = [];
let heard: () => void = () => undefined;

@Controller()
class OrderEvents {
  @EventPattern('orders.created')
  // `ctx` typed loosely: the decorator's descriptor type takes the extra arguments as unknown.
  created(@Payload() data: unknown, @Ctx() ctx: unknown) {
    received.push({ data, channel: (ctx as RedisContext).getChannel() });
    heard();
  }
}

describe('The Redis dispatch transport is a Nest custom transport', () => {
  let redis: TestRedis;
  let client: ClientRedis;

  beforeAll(async () => {
    redis = await TestRedis.start();
    client = new ClientRedis({ host: '127.0.0.1', port: redis.port });
    await client.connect();
  });

  afterAll(async () => {
    await closeAllClients();
    await client?.close();
    await redis?.stop();
  });

  it('runs as an app\'s microservice strategy: @EventPattern handlers get what a Nest ClientRedis emits', async () => {
    const server = new RedisDispatchServer({
      connection: { host: '127.0.0.1', port: redis.port },
      maxPacketBytes: 64 * 1024,
      publishTimeout: 1000,
      secret: undefined,
      onRefused: () => undefined,
    });
    const statuses: string[] = [];
    server.status.subscribe((status) => statuses.push(status));
    const ready: string[] = [];
    server.on('ready', (role) => ready.push(role));
    const moduleRef = await Test.createTestingModule({ controllers: [OrderEvents] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    await app.init();
    try {
      await redis.subscribed({ 'orders.created': 1 });
      const arrived = new Promise<void>((resolve) => (heard = resolve));
      await lastValueFrom(client.emit('orders.created', { id: 7 }), { defaultValue: undefined });
      await arrived;
      expect(received).toEqual([{ data: { id: 7 }, channel: 'orders.created' }]);
      expect(ready.sort()).toEqual(['pub', 'sub']);
      expect(statuses).toContain('connected');
      expect(server.unwrap<Redis[]>().map((c) => c.status)).toEqual(['ready', 'ready']);
    } finally {
      await app.close();
    }
    // Closing the app closed the transport's connections.
    expect(await eventually(() => server.unwrap<Redis[]>().every((c) => c.status === 'end'))).toBe(true);
  });

  it('takes dispatch packets from a Nest ClientRedis#emit(), in the { pattern, data } framing', async () => {
    const prefix = `interop${process.pid}`;
    const node = await startApp({ imports: [WsModule.forRoot({ redis: { url: redis.url, keyPrefix: prefix } })], providers: [Login] });
    try {
      const session = await connect(node.wsUrl());
      await session.request('login', { uid: 'nest-user' });
      const shared = `${prefix}:_ws.dispatch`;
      await redis.subscribed({ [shared]: 1 });
      const packet = { op: 'push_user', space: 'default', uid: 'nest-user', msg: 'from.nest', data: { n: 1 }, node: 'a-nest-client', seq: 1 };
      await lastValueFrom(client.emit(shared, packet), { defaultValue: undefined });
      expect((await session.nextWhere((e) => e.name === 'from.nest')).data).toEqual({ n: 1 });
    } finally {
      await node.close();
    }
  });
});
