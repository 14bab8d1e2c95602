import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsHook, WsIntrospection, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type Envelope, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

/** Binds `?as=` on open, joins rooms on request, and records every close hook run. */
@Injectable()
class Rooms {
  readonly closed: string[] = [];

  @WsHook('open')
  open(ctx: WsContext) {
    const as = ctx.session.request.query.as;
    if (as) ctx.bindUser(as);
  }

  @WsHook('close')
  close(ctx: WsContext) {
    this.closed.push(ctx.session.id);
  }

  @WsMessage('room.join')
  join(ctx: WsContext<{ room: string }>) {
    ctx.join(ctx.args.room);
    return ctx.session.groups.has(ctx.args.room);
  }

  @WsMessage('whoami')
  whoami(ctx: WsContext) {
    return { user: ctx.session.user ?? null, groups: [...ctx.session.groups], query: ctx.session.request.query };
  }
}

const app = (resume: { window: string; buffer: number }) =>
  startApp({ imports: [WsModule.forRoot({ nodeId: 'n1', welcome: true, resume })], providers: [Rooms] });

/** A client of `ann` in room r1: its welcome, and the client. */
async function annInRoom(running: RunningApp): Promise<{ client: TestClient; welcome: Envelope }> {
  const client = await connect(running.wsUrl() + '?as=ann');
  const welcome = await client.next();
  expect((await client.request('room.join', { room: 'r1' })).data).toBe(true);
  return { client, welcome };
}

/** Drops the connection the way a network does (no close frame: 1006 on the server) and waits until it is parked. */
async function drop(running: RunningApp, client: TestClient, sid: string): Promise<void> {
  client.socket.terminate();
  await client.closed;
  const parked = await eventually(() => (running.app.get(WsBroker).session(sid) as unknown as { parked: boolean } | undefined)?.parked === true);
  expect(parked).toBe(true);
}

const counters = (running: RunningApp) => running.app.get(WsIntrospection).metrics().total;

describe('option resume: session recovery', () => {
  afterEach(closeAllClients);

  describe('within the window', () => {
    let running: RunningApp;
    beforeAll(async () => (running = await app({ window: '20s', buffer: 300 })));
    afterAll(() => running.close());

    it('carries a resume token in every welcome', async () => {
      const client = await connect(running.wsUrl());
      const welcome = await client.next();
      expect(welcome.data.resume).toMatch(/^n1\.[A-Za-z0-9_-]{32}$/);
      expect(welcome.data).not.toHaveProperty('resumed');
      expect(welcome.code).toBe(0);
    });

    it('gives back user, groups and the 200 frames sent while away, in order, exactly once, after the welcome and before anything live', async () => {
      const broker = running.app.get(WsBroker);
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      const { sid, resume: token } = welcome.data;
      const before = counters(running);
      await drop(running, client, sid);

      // Every kind of send addressed to the session, while it is away.
      for (let n = 0; n < 200; n++) {
        const send = [
          () => broker.push(sid, 'missed', { n }),
          () => broker.pushUser('ann', 'missed', { n }),
          () => broker.groupcast('r1', 'missed', { n }),
          () => broker.broadcast('missed', { n }),
        ][n % 4];
        // Sessions parked by earlier tests may be hit too; this one must be, and none may fail.
        const delivery = await send();
        expect(delivery.failed).toBe(0);
        expect(delivery.success).toBeGreaterThanOrEqual(1);
      }
      expect(rooms.closed).not.toContain(sid); // parked, not ended: no close hook yet

      const back = await connect(running.wsUrl() + `?resume=${encodeURIComponent(token)}`);
      const again = await back.next();
      expect(again).toMatchObject({ code: 0, name: 'ws.welcome', data: { sid, user: 'ann', resumed: true } });
      expect(again.data.resume).not.toBe(token); // spent: a fresh one for the next drop
      const replay: Envelope[] = [];
      for (let i = 0; i < 200; i++) replay.push(await back.next());
      expect(replay.map((e) => `${e.name}:${e.data.n}`)).toEqual(Array.from({ length: 200 }, (_, n) => `missed:${n}`));
      // Nothing more of the replay after it: the fence's reply is the next frame.
      expect(await back.fence()).toEqual([]);

      // Live again, with its user and room: a groupcast reaches it, a pushUser too.
      expect(await broker.groupcast('r1', 'live', { n: 1 })).toMatchObject({ hit: 1, success: 1 });
      expect(await back.next()).toMatchObject({ name: 'live', data: { n: 1 } });
      expect((await back.request('whoami')).data).toEqual({ user: 'ann', groups: ['r1'], query: { as: 'ann' } });
      expect(rooms.closed).not.toContain(sid);
      const after = counters(running);
      expect(after.resumed - before.resumed).toBe(1);
      expect(after.resumeFailures - before.resumeFailures).toBe(0);
    });

    it('refuses a token used once already (410), and a resumed session ends its close hooks once', async () => {
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      await drop(running, client, welcome.data.sid);
      const back = await connect(running.wsUrl() + `?resume=${encodeURIComponent(welcome.data.resume)}`);
      expect((await back.next()).data.resumed).toBe(true);
      const twice = await connect(running.wsUrl() + `?resume=${encodeURIComponent(welcome.data.resume)}`);
      const refused = await twice.next();
      expect(refused).toMatchObject({ code: 410, name: 'ws.welcome', data: { resumed: false } });
      expect(refused.data.sid).not.toBe(welcome.data.sid);
      await back.close(1000);
      expect(await eventually(() => rooms.closed.includes(welcome.data.sid))).toBe(true);
      expect(rooms.closed.filter((s) => s === welcome.data.sid)).toHaveLength(1);
    });

    it('refuses a session whose buffer overflowed, ending it at once (close hooks once)', async () => {
      const broker = running.app.get(WsBroker);
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      const { sid, resume: token } = welcome.data;
      const failuresBefore = counters(running).resumeFailures;
      await drop(running, client, sid);
      // 300 kept; the 301st is taken by the send queue, overflows the buffer and ends the session.
      for (let n = 0; n <= 300; n++) expect(await broker.push(sid, 'missed', { n })).toMatchObject({ success: 1 });
      expect(await eventually(() => rooms.closed.includes(sid))).toBe(true); // long before the 20 s window
      expect(await broker.push(sid, 'missed', { n: 301 })).toMatchObject({ hit: 0, success: 0 });
      const back = await connect(running.wsUrl() + `?as=ann&resume=${encodeURIComponent(token)}`);
      const refused = await back.next();
      expect(refused).toMatchObject({ code: 410, data: { resumed: false, user: 'ann' } }); // a new session (its open hook bound ann again)
      expect(refused.data.sid).not.toBe(sid);
      expect(await back.fence()).toEqual([]); // nothing of the old session's stream
      expect(rooms.closed.filter((s) => s === sid)).toHaveLength(1);
      expect(counters(running).resumeFailures - failuresBefore).toBe(1);
    });

    it('does not park a clean close (1000): close hooks run at once, its token is refused', async () => {
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      await client.close(1000);
      expect(await eventually(() => rooms.closed.includes(welcome.data.sid))).toBe(true);
      expect(running.app.get(WsBroker).session(welcome.data.sid)).toBeUndefined();
      const back = await connect(running.wsUrl() + `?resume=${encodeURIComponent(welcome.data.resume)}`);
      expect(await back.next()).toMatchObject({ code: 410, data: { resumed: false } });
    });

    it('does not park a session the server closed (close(sid))', async () => {
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      running.app.get(WsBroker).close(welcome.data.sid, 4001, 'bye');
      expect((await client.closed).code).toBe(4001);
      expect(await eventually(() => rooms.closed.includes(welcome.data.sid))).toBe(true);
    });

    it('ends a parked session closed by the app (close(sid)), close hooks once', async () => {
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      await drop(running, client, welcome.data.sid);
      expect(running.app.get(WsBroker).close(welcome.data.sid)).toBe(true);
      expect(await eventually(() => rooms.closed.includes(welcome.data.sid))).toBe(true);
      expect(running.app.get(WsBroker).session(welcome.data.sid)).toBeUndefined();
      expect(rooms.closed.filter((s) => s === welcome.data.sid)).toHaveLength(1);
    });

    it('keeps the token out of the session\'s request.query, and refuses another user\'s session', async () => {
      const { client, welcome } = await annInRoom(running);
      await drop(running, client, welcome.data.sid);
      const back = await connect(running.wsUrl() + `?resume=${encodeURIComponent(welcome.data.resume)}&x=1`);
      await back.next();
      expect((await back.request('whoami')).data.query).toEqual({ as: 'ann' }); // the first upgrade's facts, kept
      const fresh = await connect(running.wsUrl() + '?resume=forged');
      expect(await fresh.next()).toMatchObject({ code: 410, data: { resumed: false } });
      expect((await fresh.request('whoami')).data.query).toEqual({});
    });
  });

  describe('past the window', () => {
    let running: RunningApp;
    beforeAll(async () => (running = await app({ window: '300ms', buffer: 1000 })));
    afterAll(() => running.close());

    it('ends the session when the window passes (close hooks once) and answers its token with a 410 welcome', async () => {
      const rooms = running.app.get(Rooms);
      const { client, welcome } = await annInRoom(running);
      const { sid, resume: token } = welcome.data;
      const failuresBefore = counters(running).resumeFailures;
      await drop(running, client, sid);
      expect(await eventually(() => rooms.closed.includes(sid), 5000)).toBe(true);
      expect(running.app.get(WsBroker).session(sid)).toBeUndefined();
      const back = await connect(running.wsUrl() + `?as=ann&resume=${encodeURIComponent(token)}`);
      const refused = await back.next();
      expect(refused).toMatchObject({ code: 410, text: 'session not resumed', name: 'ws.welcome', data: { resumed: false, user: 'ann' } });
      expect(refused.data.sid).not.toBe(sid);
      expect(refused.data.resume).toEqual(expect.any(String));
      expect((await back.request('whoami')).data).toMatchObject({ groups: [], query: { as: 'ann' } }); // the app re-establishes its state
      expect(rooms.closed.filter((s) => s === sid)).toHaveLength(1);
      expect(counters(running).resumeFailures - failuresBefore).toBe(1);
    });
  });
});
