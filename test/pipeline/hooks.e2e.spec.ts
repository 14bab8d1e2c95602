import { WsBroker, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { HookRecorder } from '../fixtures/hooks.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
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

  it('runs the close hook after the open hook, even when the client leaves while the open hook runs', async () => {
    const before = new Set(broker.sessions().map((s) => s.id));
    const client = await connect(running.wsUrl());
    const sid = broker.sessions().find((s) => !before.has(s.id))!.id;
    expect(hooks.sequence).not.toContain(`open:${sid}`);
    client.socket.terminate(); // the open hook takes 30 ms; the socket is gone long before it ends
    expect(await eventually(() => hooks.sequence.includes(`close:${sid}`))).toBe(true);
    expect(hooks.sequence.filter((s) => s.endsWith(`:${sid}`))).toEqual([`open:${sid}`, `close:${sid}`]);
  });

  it('runs the receive hook with the name and arguments of every message', async () => {
    const client = await connect(running.wsUrl());
    await client.request('hooks.locals', { a: 1 });
    expect(hooks.received.at(-1)).toEqual({ name: 'hooks.locals', args: { a: 1 } });
  });

  describe('close', () => {
    const closesOf = (sid: string) => hooks.closed.filter((c) => c.sid === sid);
    const ways: Array<[string, (client: TestClient, sid: string) => void]> = [
      ['the client closes', (client) => void client.close()],
      ['the server closes the session (twice)', (_client, sid) => {
        broker.close(sid);
        broker.close(sid);
      }],
      ['the connection is terminated', (client) => client.socket.terminate()],
    ];

    it.each(ways)('fires exactly once when %s, and the session has left every index', async (_way, end) => {
      const client = await connect(running.wsUrl());
      const sid = (await client.request('hooks.member')).data;
      end(client, sid);
      await client.closed;
      expect(await eventually(() => closesOf(sid).length > 0)).toBe(true);
      // A fence: a session that ends after this one. Once its close hook ran, the server has handled every close
      // event that came before, so a second run for `sid` would already be recorded.
      const marker = await connect(running.wsUrl());
      const markerSid = (await marker.request('hooks.member')).data;
      await marker.close();
      expect(await eventually(() => closesOf(markerSid).length === 1)).toBe(true);
      // user and groups stay readable in the close hook, so it can tell who left and from where
      expect(closesOf(sid)).toEqual([{ sid, user: 'closer', groups: ['g-close'] }]);
      expect(broker.session(sid)).toBeUndefined();
      expect(broker.sessions().map((s) => s.id)).not.toContain(sid);
      expect(broker.sessionsByUser('closer')).toEqual([]);
      expect((await broker.groupcast('g-close', 'x')).hit).toBe(0);
      expect((await broker.pushUser('closer', 'x')).hit).toBe(0);
    });
  });

  it('lets a send hook replace the bytes the client receives', async () => {
    hooks.rewrite = true;
    const client = await connect(running.wsUrl());
    client.send({ name: 'hooks.locals' });
    expect(await client.next()).toMatchObject({ name: 'rewritten', text: 'by a send hook' });
  });

  it.each(['open', 'receive', 'send', 'send-async', 'close'])('contains a throwing %s hook: the connection goes on and the error is counted', async (kind) => {
    const before = metrics.snapshot().total.handlerErrors;
    hooks.explode.add(kind);
    const client = await connect(running.wsUrl());
    const reply = await client.request('hooks.member');
    expect(reply.code).toBe(0);
    await client.close();
    expect(await eventually(() => metrics.snapshot().total.handlerErrors > before)).toBe(true);
  });
});
