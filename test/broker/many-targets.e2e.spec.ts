import { WsBroker, WsGroupLimitError, WsModule } from 'nestjs-ws-spaces';
import { connectMember, ContextSender, DeliveryController, MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';
import { SpaceCodecs } from '../../lib/protocol/space-codecs.js';
import { countEncodes } from '../helpers/count-encodes.js';

const MAX_GROUPS = 5;

describe('Sends to many targets, rooms and group limits', () => {
  let running: RunningApp;
  let broker: WsBroker;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { custom: '/custom' }, maxGroups: MAX_GROUPS })],
      providers: [MembershipHandlers, ContextSender],
      controllers: [DeliveryController],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  const join = (path: string, setup?: { uid?: string; gid?: string }) => connectMember(running.wsUrl(path), setup);

  const encodes = <T>(run: () => Promise<T>) => countEncodes(running.app.get(SpaceCodecs).base, run);

  describe('except', () => {
    it('skips one session or a list, on broadcast, groupcast and pushUser', async () => {
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => join('/ws', { uid: 'ex-user', gid: 'ex-room' })));
      expect(await broker.broadcast('b', null, { except: a.sid })).toMatchObject({ hit: 2, success: 2 });
      expect(await broker.groupcast('ex-room', 'g', null, { except: [a.sid, b.sid] })).toMatchObject({ hit: 1, success: 1 });
      expect(await broker.pushUser('ex-user', 'u', null, { except: [c.sid] })).toMatchObject({ hit: 2, success: 2 });
      expect((await a.client.fence()).map((e) => e.name)).toEqual(['u']);
      expect((await b.client.fence()).map((e) => e.name)).toEqual(['b', 'u']);
      expect((await c.client.fence()).map((e) => e.name)).toEqual(['b', 'g']);
    });

    it('gives a handler "everyone in the room but me"', async () => {
      const me = await join('/custom', { gid: 'chat' });
      const other = await join('/custom', { gid: 'chat' });
      const reply = await me.client.request('ctx.send', { kind: 'groupcast', to: 'chat', exceptMe: true });
      expect(reply.data).toMatchObject({ hit: 1, success: 1 });
      expect(await other.client.next()).toMatchObject({ name: 'from.ctx' });
      expect(await me.client.fence()).toEqual([]);
    });
  });

  describe('pushMany and pushUsers', () => {
    it('pushMany reaches the listed sessions once each, encoded once, in one delivery', async () => {
      const [a, b, c] = await Promise.all([join('/ws'), join('/ws'), join('/ws')]);
      const { result, calls } = await encodes(() => broker.pushMany([a.sid, b.sid, a.sid, 'nobody.1'], 'many', { n: 1 }));
      expect(result).toMatchObject({ hit: 2, success: 2, failed: 0, pending: 0, nodes: 0 });
      expect(calls).toBe(1);
      expect((await a.client.fence()).map((e) => e.name)).toEqual(['many']);
      expect((await b.client.fence()).map((e) => e.name)).toEqual(['many']);
      expect(await c.client.fence()).toEqual([]);
    });

    it('pushMany finds sessions in any space unless one is named, and honours except', async () => {
      const plain = await join('/ws');
      const custom = await join('/custom');
      expect((await broker.pushMany([plain.sid, custom.sid], 'any')).hit).toBe(2);
      expect((await broker.pushMany([plain.sid, custom.sid], 'only', null, { space: 'custom' })).hit).toBe(1);
      expect((await broker.pushMany([plain.sid, custom.sid], 'but', null, { except: plain.sid })).hit).toBe(1);
      expect((await plain.client.fence()).map((e) => e.name)).toEqual(['any']);
      expect((await custom.client.fence()).map((e) => e.name)).toEqual(['any', 'only', 'but']);
      await expect(broker.pushMany([plain.sid], 'x', null, { space: 'nope' })).rejects.toThrow(/unknown space "nope"/);
    });

    it('pushUsers reaches every session of each user, encoded once, in one delivery', async () => {
      const ann1 = await join('/ws', { uid: 'ann' });
      const ann2 = await join('/ws', { uid: 'ann' });
      const bob = await join('/ws', { uid: 'bob' });
      const eve = await join('/ws', { uid: 'eve' });
      const { result, calls } = await encodes(() => broker.pushUsers(['ann', 'bob', 'ann', 'nobody'], 'users', null, { except: ann2.sid }));
      expect(result).toMatchObject({ hit: 2, success: 2, nodes: 0 });
      expect(calls).toBe(1);
      for (const s of [ann1, bob]) expect((await s.client.fence()).map((e) => e.name)).toEqual(['users']);
      expect(await ann2.client.fence()).toEqual([]);
      expect(await eve.client.fence()).toEqual([]);
      expect(await broker.pushUsers([], 'nobody')).toMatchObject({ hit: 0 });
    });

    it('are on the context too, in the session\'s space', async () => {
      const me = await join('/custom', { uid: 'ctx-many' });
      const plain = await join('/ws', { uid: 'ctx-many' });
      expect((await me.client.request('ctx.send', { kind: 'pushUsers', many: ['ctx-many'] })).data).toMatchObject({ hit: 1 });
      expect((await me.client.request('ctx.send', { kind: 'pushMany', many: [me.sid, plain.sid] })).data).toMatchObject({ hit: 1 });
      expect((await me.client.fence()).map((e) => e.name)).toEqual(['from.ctx', 'from.ctx']);
      expect(await plain.client.fence()).toEqual([]);
    });
  });

  describe('join and leave several groups', () => {
    it('joins and leaves every group named, on the broker and the context', async () => {
      const s = await join('/ws');
      expect(broker.join(s.sid, 'g1', 'g2')).toBe(true);
      expect(broker.groups(s.sid).sort()).toEqual(['g1', 'g2']);
      expect((await s.client.request('join.many', { gids: ['g3', 'g4'] })).data).toEqual(['g1', 'g2', 'g3', 'g4']);
      expect((await s.client.request('leave.many', { gids: ['g1', 'g3', 'never'] })).data).toBe(true);
      expect(broker.leave(s.sid, 'g2', 'g4')).toBe(true);
      expect(broker.leave(s.sid, 'g2', 'g4')).toBe(false);
      expect(broker.groups(s.sid)).toEqual([]);
    });
  });

  describe('maxGroups', () => {
    it('refuses a join past the cap with WsGroupLimitError, joining none of the batch', async () => {
      const s = await join('/ws');
      broker.join(s.sid, 'c1', 'c2', 'c3', 'c4');
      expect(() => broker.join(s.sid, 'c5', 'c6')).toThrow(WsGroupLimitError);
      expect(broker.groups(s.sid)).toHaveLength(4);
      expect(broker.join(s.sid, 'c5', 'c1')).toBe(true); // re-joining a group does not count
      expect(() => broker.join(s.sid, 'c6')).toThrow(/at most 5 groups/);
      expect(broker.groups(s.sid)).toHaveLength(MAX_GROUPS);
    });

    it('answers a handler\'s join past the cap with a clear 400, and the session goes on', async () => {
      const s = await join('/ws');
      const gids = Array.from({ length: MAX_GROUPS }, (_, i) => `h${i}`);
      expect((await s.client.request('join.many', { gids })).code).toBe(0);
      const refused = await s.client.request('join', { gid: 'one-too-many' });
      expect(refused).toMatchObject({ code: 400, text: `group limit reached: a session may be in at most ${MAX_GROUPS} groups` });
      expect(broker.groups(s.sid)).toHaveLength(MAX_GROUPS);
      expect((await s.client.request('whoami')).code).toBe(0);
    });
  });

  describe('rooms', () => {
    it('lists rooms with member counts, members and counts, per space, on this node', async () => {
      const a = await join('/custom', { gid: 'r1' });
      const b = await join('/custom', { gid: 'r1' });
      await b.client.request('join', { gid: 'r2' });
      await join('/ws', { gid: 'r1' });
      expect(await broker.rooms('custom')).toEqual({ r1: 2, r2: 1 });
      expect((await broker.members('r1', 'custom')).sort()).toEqual([a.sid, b.sid].sort());
      expect(await broker.roomCount('r1', 'custom')).toBe(2);
      expect(await broker.roomCount('r1')).toBe(1);
      expect(await broker.members('nowhere', 'custom')).toEqual([]);
      expect(await broker.roomCount('nowhere')).toBe(0);
      await expect(broker.rooms('nope')).rejects.toThrow(/unknown space "nope"/);

      await a.client.close();
      expect(await eventually(() => broker.session(a.sid) === undefined)).toBe(true); // the server saw the close
      expect(await broker.rooms('custom')).toEqual({ r1: 1, r2: 1 });
      await b.client.request('leave.many', { gids: ['r1', 'r2'] });
      expect(await broker.rooms('custom')).toEqual({});
    });
  });

  describe('a Delivery returned from an HTTP controller', () => {
    it('serialises firstError as its message and carries pending', async () => {
      const s = await join('/ws');
      const res = await fetch(running.httpUrl('/delivery/late'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sid: s.sid }),
      });
      expect(await res.json()).toEqual({ hit: 1, success: 0, failed: 1, pending: 0, nodes: 0, firstError: 'session closed' });
    });
  });
});
