import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsHook, WsIntrospection, WsMessage, WsModule, WsSpace } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { RawClient } from '../helpers/raw-client.js';
import { NotForbidden, RawEcho, RawTrail } from '../fixtures/raw.fixture.js';
import { realClock, startApp, type RunningApp } from '../helpers/start-app.js';

/** Open hooks that take a while and send on their own: the welcome must still come first. */
@Injectable()
class BusyOpen {
  readonly sendHookSaw: string[] = [];

  @WsHook('open')
  async open(ctx: WsContext) {
    const as = ctx.session.request.query.as;
    if (as) ctx.bindUser(as);
    await ctx.push(ctx.session.id, 'hook.push');
    await ctx.broadcast('hook.broadcast');
    await realClock(50); // an open hook that takes a while
  }

  @WsHook('send')
  send(ctx: WsContext) {
    this.sendHookSaw.push(ctx.name);
  }

  @WsMessage('ping')
  ping() {
    return 'pong';
  }
}

@Injectable()
@WsSpace('lobby')
class LobbyPing {
  @WsMessage('ping')
  ping() {
    return 'lobby pong';
  }
}

describe('option welcome', () => {
  afterEach(closeAllClients);

  describe('welcome: true', () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp({ imports: [WsModule.forRoot({ nodeId: 'n1', welcome: true })], providers: [BusyOpen] });
    });
    afterAll(() => running.close());

    it('greets a session with its sid, space, user (after the open hooks) and node, as the very first frame', async () => {
      const client = await connect(running.wsUrl() + '?as=ann');
      // Sent at once: it waits for the open hooks, and its reply must still follow the welcome.
      client.send({ name: 'ping', id: 'r1' });
      const first = await client.next();
      const sid = running.app.get(WsBroker).sessionsByUser('ann')[0].id;
      expect(first).toEqual({ code: 0, name: 'ws.welcome', data: { sid, space: 'default', user: 'ann', node: 'n1' }, text: '', time: expect.any(Number) });
      expect(first).not.toHaveProperty('id');
      // What the open hook sent while the session opened, then the reply: all after the welcome.
      const rest = [await client.next(), await client.next(), await client.next()];
      expect(rest.map((e) => e.name)).toEqual(['hook.push', 'hook.broadcast', 'ping']);
      expect(rest[2]).toMatchObject({ id: 'r1', data: 'pong' });
    });

    it('says user null when nobody is bound', async () => {
      const client = await connect(running.wsUrl());
      expect((await client.next()).data).toMatchObject({ user: null, space: 'default', node: 'n1' });
    });

    it('goes out like any push: through the send hooks, counted in messagesOut', async () => {
      const hooks = running.app.get(BusyOpen);
      hooks.sendHookSaw.length = 0;
      const before = running.app.get(WsIntrospection).metrics().total.messagesOut;
      const client = await connect(running.wsUrl());
      await client.next();
      await client.next();
      await client.next();
      expect(hooks.sendHookSaw).toContain('ws.welcome');
      expect(running.app.get(WsIntrospection).metrics().total.messagesOut - before).toBeGreaterThanOrEqual(3);
    });

    it('is listed in the export and the AsyncAPI document as a server message', async () => {
      const exp = running.app.get(WsIntrospection).export();
      const entry = exp.commands.find((c) => c.name === 'ws.welcome');
      expect(entry).toMatchObject({ space: 'default', priority: 'high' });
      expect(Object.keys(entry!.args.properties!)).toEqual(['sid', 'space', 'user', 'node']);
      const doc = running.app.get(WsIntrospection).asyncApi() as { operations: Record<string, { action: string }> };
      expect(doc.operations['default.send.ws.welcome']).toMatchObject({ action: 'send' });
    });
  });

  it('takes a name of its own, and names each session\'s space', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ welcome: 'connection.established', spaces: { lobby: '/lobby' } })],
      providers: [LobbyPing],
    });
    try {
      const client = await connect(running.wsUrl('/lobby'));
      const reply = client.request('ping');
      expect(await client.next()).toMatchObject({ code: 0, name: 'connection.established', data: { space: 'lobby', user: null } });
      expect((await reply).data).toBe('lobby pong');
    } finally {
      await closeAllClients();
      await running.close();
    }
  });

  it('is not sent in a raw space, whose frames are not envelopes', async () => {
    const raw = await startApp({
      imports: [WsModule.forRoot({ welcome: true, spaces: { raw: { path: '/feed', raw: true } } })],
      providers: [RawEcho, RawTrail, NotForbidden],
    });
    try {
      const client = await RawClient.connect(raw.wsUrl('/feed'));
      client.send('first');
      // The echo is the first frame: no welcome came before it.
      expect(await client.next()).toEqual({ binary: false, data: 'first' });
      await client.terminate();
    } finally {
      await raw.close();
    }
  });

  it('is off by default: the first frame is the reply, and the export does not list it', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({})] });
    try {
      const client = await connect(running.wsUrl());
      client.send({ name: 'ping', id: 'x' });
      expect(await client.next()).toMatchObject({ id: 'x', code: 404 });
      expect(running.app.get(WsIntrospection).export().commands.some((c) => c.name === 'ws.welcome')).toBe(false);
    } finally {
      await closeAllClients();
      await running.close();
    }
  });
});
