import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage } from 'node:http';
import { WsContext, WsMessage, WsModule, type WsModuleOptions, WsSpace, WsSpacesAdapter } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { RecordingLogger, startApp, type RunningApp } from '../helpers/start-app.js';

/** `/rooms/:id` to the rooms space, `/lobby-*` to the open space by name, two broken answers, the rest unknown. */
function resolveSpace(request: IncomingMessage) {
  const path = new URL(request.url!, 'http://x').pathname;
  const room = /^\/rooms\/([^/]+)$/.exec(path);
  if (room) return { space: 'rooms', params: { id: decodeURIComponent(room[1]) } };
  if (path.startsWith('/lobby-')) return 'open';
  if (path === '/misplaced') return 'nowhere';
  if (path === '/throws') throw new Error('resolver bug');
  return undefined;
}

const options: WsModuleOptions = {
  spaces: {
    rooms: { path: '/rooms', authenticator: (req) => (req.headers['x-user'] ? { user: String(req.headers['x-user']) } : null) },
    open: '/open',
  },
  resolveSpace,
};

@Injectable()
@WsSpace('rooms')
class RoomHandlers {
  @WsMessage('where')
  where(ctx: WsContext) {
    const { space, user, request } = ctx.session;
    return { space, user, path: request.path, params: request.params, query: request.query };
  }
}

@Injectable()
@WsSpace('open')
class OpenHandlers {
  @WsMessage('where')
  where(ctx: WsContext) {
    return { space: ctx.space, params: ctx.session.request.params };
  }
}

describe('option resolveSpace: a space chosen per request', () => {
  let running: RunningApp;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot(options)], providers: [RoomHandlers, OpenHandlers] }, logger);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('places /rooms/:id in the rooms space, with the id in session.request.params', async () => {
    const client = await connect(running.wsUrl('/rooms/42?lang=en'), { headers: { 'x-user': 'ann' } });
    expect((await client.request('where')).data).toEqual({ space: 'rooms', user: 'ann', path: '/rooms/42', params: { id: '42' }, query: { lang: 'en' } });
  });

  it('runs the chosen space\'s authenticator and the origin check', async () => {
    await expect(connect(running.wsUrl('/rooms/42'))).rejects.toMatchObject({ status: 401 });
    await expect(connect(running.wsUrl('/rooms/42'), { headers: { 'x-user': 'ann', origin: 'https://evil.example' } })).rejects.toMatchObject({ status: 403 });
  });

  it('takes a bare space name, and leaves the configured paths to the static map (params {})', async () => {
    const named = await connect(running.wsUrl('/lobby-7'));
    expect((await named.request('where')).data).toEqual({ space: 'open', params: {} });
    const configured = await connect(running.wsUrl('/rooms'), { headers: { 'x-user': 'bob' } });
    expect((await configured.request('where')).data).toMatchObject({ space: 'rooms', path: '/rooms', params: {} });
  });

  it('answers 404 when it places nothing, as for any unknown path', async () => {
    await expect(connect(running.wsUrl('/elsewhere'))).rejects.toMatchObject({ status: 404 });
  });

  it('answers 500 and logs when it names a space that is not configured, or throws', async () => {
    await expect(connect(running.wsUrl('/misplaced'))).rejects.toMatchObject({ status: 500 });
    expect(logger.lines.error.join('\n')).toMatch(/resolveSpace placed \/misplaced in "nowhere", which is not a configured space/);
    // A burst of failures is logged once: clients trigger them, and must not flood the logs.
    const lines = logger.lines.error.length;
    await expect(connect(running.wsUrl('/throws'))).rejects.toMatchObject({ status: 500 });
    await expect(connect(running.wsUrl('/misplaced'))).rejects.toMatchObject({ status: 500 });
    expect(logger.lines.error.length).toBe(lines);
  });
});

describe('option resolveSpace behind WsSpacesAdapter', () => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot(options)], providers: [RoomHandlers, OpenHandlers] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsSpacesAdapter(app));
    await app.listen(0, '127.0.0.1');
    port = app.getHttpServer().address().port;
  });
  afterAll(() => app.close());
  afterEach(closeAllClients);

  it('routes the upgrades resolveSpace places, and still answers 404 for the rest', async () => {
    const client = await connect(`ws://127.0.0.1:${port}/rooms/abc`, { headers: { 'x-user': 'cy' } });
    expect((await client.request('where')).data).toMatchObject({ space: 'rooms', params: { id: 'abc' } });
    await expect(connect(`ws://127.0.0.1:${port}/elsewhere`)).rejects.toMatchObject({ status: 404 });
  });
});
