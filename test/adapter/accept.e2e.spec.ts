import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WsAcceptError, WsBroker, WsContext, WsHook, WsIntrospection, WsMessage, WsModule, WsSpace } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

/**
 * The app's own upgrade route, as infrago's Accept users have it: its own path, its own WebSocketServer, its own
 * auth (an `x-api-key` header), and then the socket is handed to the module. `?space=` picks the space, so the
 * refusals can be seen; a refusal closes the socket with 4000 and the reason.
 */
@Injectable()
class CustomUpgrade implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly refusals: WsAcceptError[] = [];
  private server: Server | undefined;

  constructor(
    private readonly http: HttpAdapterHost,
    private readonly broker: WsBroker,
  ) {}

  onApplicationBootstrap() {
    this.server = this.http.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  onApplicationShutdown() {
    this.server?.off('upgrade', this.onUpgrade);
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== '/custom-upgrade') return;
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !key.startsWith('k-')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        this.broker.accept(ws, req, { space: url.searchParams.get('space') ?? 'custom', user: `user-${key.slice(2)}`, locals: { via: 'custom-upgrade' } });
      } catch (err) {
        if (!(err instanceof WsAcceptError)) throw err;
        this.refusals.push(err);
        ws.close(4000, err.reason);
      }
    });
  };
}

@Injectable()
@WsSpace('custom')
class CustomHandlers {
  readonly opened: string[] = [];
  readonly closed: Array<{ sid: string; user: string | undefined }> = [];

  @WsHook('open')
  open(ctx: WsContext) {
    this.opened.push(ctx.session.id);
  }

  @WsHook('close')
  close(ctx: WsContext) {
    this.closed.push({ sid: ctx.session.id, user: ctx.user });
  }

  @WsMessage('who')
  who(ctx: WsContext) {
    const { id, space, user, locals, request } = ctx.session;
    return { id, space, user, locals, path: request.path, query: request.query };
  }

  @WsMessage('join')
  join(ctx: WsContext<{ room: string }>) {
    ctx.join(ctx.args.room);
    return null;
  }
}

const moduleOptions = {
  nodeId: 'n1',
  maxMessageSize: 1024,
  spaces: { custom: '/custom', limited: { path: '/limited', maxConnections: 1 } },
};

describe('WsBroker.accept: a socket the app upgraded itself, handed over', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot(moduleOptions)], providers: [CustomUpgrade, CustomHandlers] });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  const adopted = (query = '', key = 'k-ann') => connect(running.wsUrl(`/custom-upgrade${query}`), { headers: { 'x-api-key': key } });

  it('becomes a session of the space, with the identity and locals the app gave, after the open hooks', async () => {
    const client = await adopted('?lang=en');
    const who = (await client.request('who')).data;
    expect(who).toEqual({
      id: expect.stringMatching(/^n1\./),
      space: 'custom',
      user: 'user-ann',
      locals: { via: 'custom-upgrade' },
      path: '/custom-upgrade',
      query: { lang: 'en' },
    });
    expect(running.app.get(CustomHandlers).opened).toContain(who.id);
    expect(running.app.get(WsBroker).session(who.id)?.space).toBe('custom');
  });

  it('keeps the app\'s own auth: a refused upgrade never reaches the module', async () => {
    await expect(connect(running.wsUrl('/custom-upgrade'), { headers: { 'x-api-key': 'nope' } })).rejects.toMatchObject({ status: 401 });
  });

  it('gets broadcasts, pushes to its user and groupcasts beside the sockets the module upgraded', async () => {
    const mine = await adopted('', 'k-bob');
    const theirs = await connect(running.wsUrl('/custom'));
    await mine.request('join', { room: 'r1' });
    await theirs.request('join', { room: 'r1' });
    const broker = running.app.get(WsBroker);
    expect((await broker.broadcast('news', { n: 1 }, { space: 'custom' })).success).toBe(2);
    expect((await mine.next()).name).toBe('news');
    expect((await theirs.next()).name).toBe('news');
    expect((await broker.pushUser('user-bob', 'for.bob', null, { space: 'custom' })).success).toBe(1);
    expect((await mine.next()).name).toBe('for.bob');
    expect((await broker.groupcast('r1', 'room.news', null, { space: 'custom' })).success).toBe(2);
    expect((await mine.next()).name).toBe('room.news');
  });

  it('runs the close hooks once with its user, and leaves the indexes and the connection count', async () => {
    const metrics = () => running.app.get(WsIntrospection).metrics().spaces.custom.connections;
    // The sockets of earlier tests were cut on the client side; wait until the server saw them go.
    await eventually(() => running.app.get(WsBroker).sessions('custom').length === 0);
    const before = metrics();
    const client = await adopted('', 'k-cat');
    const { id } = (await client.request('who')).data;
    expect(metrics()).toBe(before + 1);
    await client.close();
    const handlers = running.app.get(CustomHandlers);
    expect(await eventually(() => handlers.closed.some((c) => c.sid === id))).toBe(true);
    expect(handlers.closed.filter((c) => c.sid === id)).toEqual([{ sid: id, user: 'user-cat' }]);
    expect(running.app.get(WsBroker).session(id)).toBeUndefined();
    expect(metrics()).toBe(before);
  });

  it('applies the module\'s maxMessageSize to it: an oversize frame closes it with 1009', async () => {
    const client = await adopted();
    client.send({ name: 'who', data: { pad: 'x'.repeat(2000) } });
    expect((await client.closed).code).toBe(1009);
  });

  it('throws a WsAcceptError for an unknown space, and leaves the socket to the app', async () => {
    const client = await adopted('?space=nowhere');
    expect(await client.closed).toEqual({ code: 4000, reason: 'unknown-space' });
    expect(running.app.get(CustomUpgrade).refusals.at(-1)?.message).toMatch(/unknown space "nowhere"/);
  });

  it('counts against the space\'s connection limit like any other session', async () => {
    await adopted('?space=limited');
    expect(await eventually(() => running.app.get(WsBroker).sessions('limited').length === 1)).toBe(true);
    const second = await adopted('?space=limited');
    expect(await second.closed).toEqual({ code: 4000, reason: 'too-many-connections' });
    await expect(connect(running.wsUrl('/limited'))).rejects.toMatchObject({ status: 503 });
  });
});

describe('WsBroker.accept: the module\'s heartbeat and shutdown', () => {
  it('pings an adopted socket, and terminates it when it stays silent past readTimeout', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ ...moduleOptions, pingInterval: 100, readTimeout: 300 })],
      providers: [CustomUpgrade, CustomHandlers],
    });
    try {
      const lively = await connect(running.wsUrl('/custom-upgrade'), { headers: { 'x-api-key': 'k-eve' } });
      const silent = await connect(running.wsUrl('/custom-upgrade'), { headers: { 'x-api-key': 'k-fay' }, autoPong: false });
      const pinged = new Promise<void>((resolve) => lively.socket.once('ping', () => resolve()));
      await pinged;
      expect((await silent.closed).code).toBe(1006); // terminated: no close frame
      expect((await lively.request('who')).data.user).toBe('user-eve');
      expect(running.app.get(WsIntrospection).metrics().spaces.custom.readTimeouts).toBe(1);
    } finally {
      await closeAllClients();
      await running.close();
    }
  });

  it('closes adopted sessions with 1001 like the others, and refuses to adopt afterwards', async () => {
    const running = await startApp({ imports: [WsModule.forRoot(moduleOptions)], providers: [CustomUpgrade, CustomHandlers] });
    const client = await connect(running.wsUrl('/custom-upgrade'), { headers: { 'x-api-key': 'k-dan' } });
    const { id } = (await client.request('who')).data;
    const handlers = running.app.get(CustomHandlers);
    const broker = running.app.get(WsBroker);
    await running.close();
    expect((await client.closed).code).toBe(1001);
    expect(handlers.closed.map((c) => c.sid)).toContain(id);
    const socket = { on() {}, send() {}, readyState: 1 };
    expect(() => broker.accept(socket, { headers: {}, url: '/x' } as IncomingMessage, { space: 'custom' })).toThrow(
      expect.objectContaining({ name: 'WsAcceptError', reason: 'closed' }),
    );
  });
});
