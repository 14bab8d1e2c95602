import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsAdapter } from '@nestjs/platform-ws';
import { WsModule, WsSpacesAdapter } from 'nestjs-ws-spaces';
import { ClashingGateway, EventsGateway, PassGuard, SpaceHandlers, UpperCasePipe } from '../fixtures/gateway.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { RecordingLogger } from '../helpers/start-app.js';

/** Boots the gateway beside the module on one port, with the WebSocket adapter `adapterOf` builds. */
async function boot(adapterOf: (app: INestApplication) => unknown, logger: LoggerService | false = false) {
  const moduleRef = await Test.createTestingModule({
    imports: [WsModule.forRoot({ spaces: { side: '/side' } })],
    providers: [EventsGateway, SpaceHandlers, PassGuard, UpperCasePipe],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  app.useWebSocketAdapter(adapterOf(app) as never);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  return { app, url: (path: string) => `ws://127.0.0.1:${address.port}${path}` };
}

/** The next Nest-protocol frame `{ event, data }` a gateway sent. */
async function nextEvent(client: TestClient): Promise<{ event: string; data: unknown }> {
  return (await client.next()) as never;
}

describe('WsSpacesAdapter: gateways and spaces on one port', () => {
  let app: INestApplication;
  let url: (path: string) => string;

  beforeAll(async () => {
    ({ app, url } = await boot((nest) => new WsSpacesAdapter(nest)));
  });
  afterAll(() => app.close());
  afterEach(closeAllClients);

  it('serves the gateway at its path with Nest\'s { event, data } messages', async () => {
    const gateway = await connect(url('/events'));
    gateway.send({ event: 'echo', data: { n: 1 } });
    expect(await nextEvent(gateway)).toEqual({ event: 'echoed', data: { n: 1 } });
  });

  it('runs the gateway\'s pipes and guards as before', async () => {
    const gateway = await connect(url('/events'));
    gateway.send({ event: 'shout', data: { text: 'hey' } });
    expect(await nextEvent(gateway)).toEqual({ event: 'shouted', data: 'HEY' });
    gateway.send({ event: 'secret', data: {} });
    expect(await nextEvent(gateway)).toMatchObject({ event: 'exception', data: { message: 'Forbidden resource' } });
    gateway.send({ event: 'secret', data: { pass: true } });
    expect(await nextEvent(gateway)).toEqual({ event: 'secret', data: 'let in' });
  });

  it('serves the module\'s spaces on the same port at the same time', async () => {
    const [gateway, plain, side] = await Promise.all([connect(url('/events')), connect(url('/ws')), connect(url('/side'))]);
    expect(await plain.request('space.ping')).toMatchObject({ code: 0, data: { space: 'default' } });
    expect(await side.request('space.ping')).toMatchObject({ code: 0, data: { space: 'side' } });
    gateway.send({ event: 'echo', data: 'still here' });
    expect(await nextEvent(gateway)).toEqual({ event: 'echoed', data: 'still here' });
  });

  it('ignores frames that are not JSON or name no handler, and keeps the gateway socket', async () => {
    const gateway = await connect(url('/events'));
    gateway.send('not json');
    gateway.send({ event: 'nobody', data: 1 });
    gateway.send({ event: 'echo', data: 'after' });
    expect(await nextEvent(gateway)).toEqual({ event: 'echoed', data: 'after' });
  });

  it('answers 404 for a path nobody owns', async () => {
    await expect(connect(url('/nowhere'))).rejects.toMatchObject({ status: 404 });
  });
});

describe('Without WsSpacesAdapter, beside @nestjs/platform-ws', () => {
  it('says once, naming WsSpacesAdapter, that another upgrade listener destroys the module\'s upgrades', async () => {
    const logger = new RecordingLogger();
    const { app, url } = await boot((nest) => new WsAdapter(nest), logger);
    try {
      await expect(connect(url('/ws'))).rejects.toThrow();
      await expect(connect(url('/side'))).rejects.toThrow();
      const lines = logger.lines.error.filter((line) => line.includes('WsSpacesAdapter'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('app.useWebSocketAdapter(new WsSpacesAdapter(app))');
      const gateway = await connect(url('/events'));
      gateway.send({ event: 'echo', data: 1 });
      expect(await nextEvent(gateway)).toEqual({ event: 'echoed', data: 1 });
    } finally {
      await closeAllClients();
      await app.close();
    }
  });
});

describe('WsSpacesAdapter at bootstrap', () => {
  it('fails when a gateway asks for the path of a space, naming it', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot()], providers: [ClashingGateway] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsSpacesAdapter(app));
    await expect(app.init()).rejects.toThrow('asks for the path /ws, which is a space of WsModule');
    await app.close().catch(() => undefined);
  });
});
