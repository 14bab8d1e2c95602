import { WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { HookRecorder } from '../fixtures/hooks.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

describe('Hooks', () => {
  let running: RunningApp;
  let hooks: HookRecorder;
  let broker: WsBroker;
  let metrics: WsMetrics;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot()], providers: [HookRecorder] });
    hooks = running.app.get(HookRecorder);
    broker = running.app.get(WsBroker);
    metrics = running.app.get(WsMetrics);
  });
  afterAll(() => running.close());
  afterEach(async () => {
    hooks.explode.clear();
    hooks.rewrite = false;
    await closeAllClients();
  });

  it('runs the open hook before the first message is handled', async () => {
    const client = await connect(running.wsUrl());
    client.send({ name: 'hooks.locals', id: 1 }); // sent at once, while the async open hook still runs
    expect((await client.next()).data).toBe('set by the open hook');
  });

  it('runs the receive hook with the name and arguments of every message', async () => {
    const client = await connect(running.wsUrl());
    await client.request('hooks.locals', { a: 1 });
    expect(hooks.received.at(-1)).toEqual({ name: 'hooks.locals', args: { a: 1 } });
  });

  describe('close', () => {
    const closesOf = (sid: string) => hooks.closed.filter((c) => c.sid === sid);

    it('fires exactly once when the client closes, with user and groups still readable', async () => {
      const client = await connect(running.wsUrl());
      const sid = (await client.request('hooks.member')).data;
      await client.close();
      expect(await eventually(() => closesOf(sid).length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(closesOf(sid)).toEqual([{ sid, user: 'closer', groups: ['g-close'] }]);
      expect(broker.session(sid)).toBeUndefined();
      expect(broker.sessionsByUser('closer')).toEqual([]);
      expect((await broker.groupcast('g-close', 'x')).hit).toBe(0);
    });

    it('fires exactly once when the server closes the session', async () => {
      const client = await connect(running.wsUrl());
      const sid = (await client.request('hooks.member')).data;
      broker.close(sid);
      broker.close(sid);
      await client.closed;
      expect(await eventually(() => closesOf(sid).length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(closesOf(sid)).toHaveLength(1);
    });

    it('fires exactly once when the connection is terminated', async () => {
      const client = await connect(running.wsUrl());
      const sid = (await client.request('hooks.member')).data;
      client.socket.terminate();
      expect(await eventually(() => closesOf(sid).length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(closesOf(sid)).toHaveLength(1);
    });
  });

  it('lets a send hook replace the bytes the client receives', async () => {
    hooks.rewrite = true;
    const client = await connect(running.wsUrl());
    client.send({ name: 'hooks.locals' });
    expect(await client.next()).toMatchObject({ name: 'rewritten', text: 'by a send hook' });
  });

  it.each(['open', 'receive', 'send', 'close'])('contains a throwing %s hook: the connection goes on and the error is counted', async (kind) => {
    const before = metrics.snapshot().total.handlerErrors;
    hooks.explode.add(kind);
    const client = await connect(running.wsUrl());
    const reply = await client.request('hooks.member');
    expect(reply.code).toBe(0);
    await client.close();
    expect(await eventually(() => metrics.snapshot().total.handlerErrors > before)).toBe(true);
  });
});
