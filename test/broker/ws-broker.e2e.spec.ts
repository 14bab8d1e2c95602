import { WsBroker, WsModule } from 'nestjs-ws-spaces';
import { connectMember, ContextSender, MembershipHandlers, OutputRecorder } from '../fixtures/broker.fixture.js';
import { closeAllClients } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { SpaceCodecs } from '../../lib/protocol/space-codecs.js';
import { countEncodes } from '../helpers/count-encodes.js';

describe('WsBroker', () => {
  let running: RunningApp;
  let broker: WsBroker;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { custom: '/custom' } })],
      providers: [MembershipHandlers, OutputRecorder, ContextSender],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  /** Connects to a space and returns the client with its session id. */
  const join = (path: string, setup?: { uid?: string; gid?: string }) => connectMember(running.wsUrl(path), setup);

  describe('push', () => {
    it('sends to one session and reports the delivery', async () => {
      const a = await join('/ws');
      const b = await join('/ws');
      expect(await broker.push(a.sid, 'note', { n: 1 })).toEqual({ hit: 1, success: 1, failed: 0, pending: 0, nodes: 0 });
      expect(await a.client.next()).toMatchObject({ code: 0, name: 'note', data: { n: 1 }, text: '' });
      expect(await b.client.fence()).toEqual([]);
    });

    it('is a successful no-op for a session id nobody holds', async () => {
      expect(await broker.push('nobody.1', 'note')).toEqual({ hit: 0, success: 0, failed: 0, pending: 0, nodes: 0 });
    });

    it('finds a session in any space, unless a space is named', async () => {
      const c = await join('/custom');
      expect((await broker.push(c.sid, 'note')).hit).toBe(1);
      expect((await broker.push(c.sid, 'note', null, { space: 'default' })).hit).toBe(0);
      expect(await c.client.next()).toMatchObject({ name: 'note' });
      expect(await c.client.fence()).toEqual([]);
    });

    it('carries code and text from the options', async () => {
      const a = await join('/ws');
      await broker.push(a.sid, 'warn', null, { code: 1, text: 'careful' });
      expect(await a.client.next()).toMatchObject({ code: 1, name: 'warn', data: null, text: 'careful' });
    });
  });

  describe('pushUser', () => {
    it('reaches every session of the user exactly once, and nobody else', async () => {
      const one = await join('/ws', { uid: 'u-two' });
      const two = await join('/ws', { uid: 'u-two' });
      const other = await join('/ws', { uid: 'someone-else' });
      expect(await broker.pushUser('u-two', 'hello')).toMatchObject({ hit: 2, success: 2, failed: 0 });
      for (const s of [one, two]) {
        expect(await s.client.next()).toMatchObject({ name: 'hello' });
        expect(await s.client.fence()).toEqual([]);
      }
      expect(await other.client.fence()).toEqual([]);
    });

    it('follows a rebinding and an unbinding', async () => {
      const s = await join('/ws', { uid: 'first' });
      broker.bindUser(s.sid, 'second');
      expect((await broker.pushUser('first', 'x')).hit).toBe(0);
      expect((await broker.pushUser('second', 'x')).hit).toBe(1);
      broker.bindUser(s.sid, undefined);
      expect((await broker.pushUser('second', 'x')).hit).toBe(0);
      expect(broker.session(s.sid)?.user).toBeUndefined();
    });
  });

  describe('broadcast and groupcast', () => {
    it('broadcasts to every session of the space', async () => {
      const sessions = await Promise.all([join('/ws'), join('/ws'), join('/ws')]);
      const delivery = await broker.broadcast('all');
      expect(delivery).toMatchObject({ hit: sessions.length, success: sessions.length, failed: 0 });
      for (const s of sessions) expect(await s.client.next()).toMatchObject({ name: 'all' });
    });

    it('groupcasts to the members only', async () => {
      const member1 = await join('/ws', { gid: 'g1' });
      const member2 = await join('/ws', { gid: 'g1' });
      const outsider = await join('/ws', { gid: 'g2' });
      expect(await broker.groupcast('g1', 'room')).toMatchObject({ hit: 2, success: 2 });
      expect(await member1.client.next()).toMatchObject({ name: 'room' });
      expect(await member2.client.next()).toMatchObject({ name: 'room' });
      expect(await outsider.client.fence()).toEqual([]);
      expect(await broker.groupcast('empty-group', 'room')).toMatchObject({ hit: 0, success: 0 });
    });

    it('encodes a broadcast once and writes the same bytes to every recipient', async () => {
      const recorder = running.app.get(OutputRecorder);
      recorder.outputs.length = 0;
      await Promise.all([join('/custom'), join('/custom'), join('/custom')]);
      recorder.outputs.length = 0;
      await broker.broadcast('once', { big: 'x'.repeat(100) }, { space: 'custom' });
      expect(recorder.outputs).toHaveLength(3);
      expect(recorder.outputs[1]).toBe(recorder.outputs[0]);
      expect(recorder.outputs[2]).toBe(recorder.outputs[0]);
    });

    it('serializes a groupcast once for all its members', async () => {
      await Promise.all([join('/ws', { gid: 'enc' }), join('/ws', { gid: 'enc' }), join('/ws', { gid: 'enc' })]);
      const { calls } = await countEncodes(running.app.get(SpaceCodecs).base, async () => {
        expect(await broker.groupcast('enc', 'once', { n: 1 })).toMatchObject({ hit: 3, success: 3 });
        expect((await broker.broadcast('once')).success).toBeGreaterThanOrEqual(3);
      });
      expect(calls).toBe(2);
    });

    it('rejects a send of any kind to a space that is not configured', async () => {
      const s = await join('/ws', { uid: 'u-nope', gid: 'g-nope' });
      const space = { space: 'nope' };
      await expect(broker.broadcast('x', null, space)).rejects.toThrow(/unknown space "nope"/);
      await expect(broker.groupcast('g-nope', 'x', null, space)).rejects.toThrow(/unknown space "nope"/);
      await expect(broker.pushUser('u-nope', 'x', null, space)).rejects.toThrow(/unknown space "nope"/);
      await expect(broker.push(s.sid, 'x', null, space)).rejects.toThrow(/unknown space "nope"/);
      await expect(broker.push('nobody.1', 'x', null, space)).rejects.toThrow(/unknown space "nope"/);
      expect(await s.client.fence()).toEqual([]);
    });
  });

  describe('space isolation', () => {
    it('keeps broadcast, groupcast and pushUser inside their space, both ways', async () => {
      const plain = await join('/ws', { uid: 'same-user', gid: 'same-group' });
      const custom = await join('/custom', { uid: 'same-user', gid: 'same-group' });

      await broker.broadcast('b');
      await broker.groupcast('same-group', 'g');
      await broker.pushUser('same-user', 'u');
      expect((await plain.client.fence()).map((e) => e.name)).toEqual(['b', 'g', 'u']);
      expect(await custom.client.fence()).toEqual([]);

      await broker.broadcast('b', null, { space: 'custom' });
      await broker.groupcast('same-group', 'g', null, { space: 'custom' });
      await broker.pushUser('same-user', 'u', null, { space: 'custom' });
      expect((await custom.client.fence()).map((e) => e.name)).toEqual(['b', 'g', 'u']);
      expect(await plain.client.fence()).toEqual([]);
    });
  });

  describe('through WsContext', () => {
    it('targets the session\'s own space unless another is named', async () => {
      const plain = await join('/ws', { uid: 'ctx-user', gid: 'ctx-group' });
      const custom = await join('/custom', { uid: 'ctx-user', gid: 'ctx-group' });
      const cases = [
        { kind: 'broadcast' },
        { kind: 'groupcast', to: 'ctx-group' },
        { kind: 'pushUser', to: 'ctx-user' },
      ];
      for (const args of cases) {
        expect((await custom.client.request('ctx.send', args)).data).toMatchObject({ hit: 1, success: 1, failed: 0, nodes: 0 });
        expect(await custom.client.next()).toMatchObject({ name: 'from.ctx' });
        expect(await plain.client.fence()).toEqual([]);

        expect((await custom.client.request('ctx.send', { ...args, space: 'default' })).data).toMatchObject({ hit: 1, success: 1 });
        expect(await plain.client.next()).toMatchObject({ name: 'from.ctx' });
        expect(await custom.client.fence()).toEqual([]);
      }
    });

    it('pushes by session id only within the session\'s space unless another is named', async () => {
      const plain = await join('/ws');
      const custom = await join('/custom');
      expect((await custom.client.request('ctx.send', { kind: 'push', to: plain.sid })).data).toMatchObject({ hit: 0 });
      expect((await custom.client.request('ctx.send', { kind: 'push', to: plain.sid, space: 'default' })).data).toMatchObject({ hit: 1 });
      expect(await plain.client.next()).toMatchObject({ name: 'from.ctx' });
    });
  });

  describe('users, groups and sessions', () => {
    it('joins, leaves and lists groups', async () => {
      const s = await join('/ws');
      expect(broker.join(s.sid, 'a')).toBe(true);
      broker.join(s.sid, 'b');
      expect(broker.groups(s.sid).sort()).toEqual(['a', 'b']);
      expect(broker.inGroup(s.sid, 'a')).toBe(true);
      expect(broker.leave(s.sid, 'a')).toBe(true);
      expect(broker.leave(s.sid, 'a')).toBe(false);
      expect(broker.leaveAll(s.sid)).toBe(1);
      expect(broker.groups(s.sid)).toEqual([]);
      expect(broker.join('nobody.1', 'a')).toBe(false);
    });

    it('lists sessions by space and by user, on this node', async () => {
      const a = await join('/ws', { uid: 'lister' });
      const c = await join('/custom', { uid: 'lister' });
      expect(broker.session(a.sid)?.space).toBe('default');
      expect(broker.sessions('custom').map((s) => s.id)).toContain(c.sid);
      expect(broker.sessions('custom').map((s) => s.id)).not.toContain(a.sid);
      expect(broker.sessions().map((s) => s.id)).toEqual(expect.arrayContaining([a.sid, c.sid]));
      expect(broker.sessionsByUser('lister').map((s) => s.id).sort()).toEqual([a.sid, c.sid].sort());
      expect(broker.sessionsByUser('lister', 'custom').map((s) => s.id)).toEqual([c.sid]);
    });

    it('refuses close codes a server may not send', async () => {
      const s = await join('/ws');
      expect(() => broker.close(s.sid, 1005)).toThrow(RangeError);
      expect(() => broker.close(s.sid, 2000)).toThrow(/1000 or 3000-4999/);
      expect((await s.client.request('whoami')).code).toBe(0);
    });

    it('closes a session with the given code', async () => {
      const s = await join('/ws');
      expect(broker.close(s.sid, 4000, 'bye')).toBe(true);
      expect(await s.client.closed).toEqual({ code: 4000, reason: 'bye' });
      expect(broker.close('nobody.1')).toBe(false);
    });

    it('counts a send to a closing session as failed, with the reason', async () => {
      const s = await join('/ws');
      broker.close(s.sid);
      const delivery = await broker.push(s.sid, 'late');
      expect(delivery).toMatchObject({ hit: 1, success: 0, failed: 1 });
      expect(delivery.firstError?.message).toBe('session closed');
    });
  });
});
