import { Injectable, type INestApplication } from '@nestjs/common';
import { WsBroker, WsContext, WsHook, WsMessage } from 'nestjs-ws-spaces';
import { WsClient, type WsStateChange } from '../../lib/client/index.js';
import { startCalcApp } from './client-app.js';

/** Binds `?as=` on open and joins rooms on request: the state a resumed session must get back. */
@Injectable()
class Rooms {
  @WsHook('open')
  open(ctx: WsContext) {
    if (ctx.session.request.query.as) ctx.bindUser(ctx.session.request.query.as);
  }

  @WsMessage('room.join')
  join(ctx: WsContext<{ room: string }>) {
    ctx.join(ctx.args.room);
    return true;
  }

  @WsMessage('room.mine')
  mine(ctx: WsContext) {
    return { user: ctx.session.user ?? null, groups: [...ctx.session.groups] };
  }
}

const start = (window: string) => startCalcApp(0, { welcome: true, resume: { window, buffer: 1000 } }, { providers: [Rooms] });

/** Cuts the session's socket from the server's side, as a network drop would (no close frame: 1006 both ways). */
function cut(app: INestApplication, sid: string): void {
  (app.get(WsBroker).session(sid) as unknown as { transport: { terminate(): void } }).transport.terminate();
}

describe('WsClient option resume', () => {
  const apps: INestApplication[] = [];
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('resumes by itself after a drop: open with resumed true, the 200 pushes missed in order and once, then live', async () => {
    const { app, url } = await start('20s');
    apps.push(app);
    const ws = new WsClient(url() + '?as=ann', { resume: true, reconnect: { minDelay: 400, maxDelay: 400, jitter: 0 } });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    const sids: string[] = [];
    ws.on('ws.welcome', (data: { sid: string }) => sids.push(data.sid));
    const got: number[] = [];
    ws.on('missed', (data: { n: number }) => got.push(data.n));
    await ws.request('room.join', { room: 'r1' });
    const sid = sids[0];

    const broker = app.get(WsBroker);
    cut(app, sid);
    await vi.waitFor(() => expect(states.at(-1)?.state).toBe('reconnecting'));
    for (let n = 0; n < 200; n++) {
      const send = [() => broker.push(sid, 'missed', { n }), () => broker.pushUser('ann', 'missed', { n }), () => broker.groupcast('r1', 'missed', { n }), () => broker.broadcast('missed', { n })][n % 4];
      await send();
    }
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ state: 'open', resumed: true }), { timeout: 5000 });
    // A request's reply follows everything the server sent before it: the replay is complete by then.
    expect(await ws.request('room.mine')).toEqual({ user: 'ann', groups: ['r1'] });
    expect(got).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(sids).toEqual([sid, sid]); // the same session id, reported by the second welcome
    await broker.groupcast('r1', 'missed', { n: 200 });
    expect(await ws.request('room.mine')).toMatchObject({ groups: ['r1'] });
    expect(got.length).toBe(201);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('reports resumed false (a 410 welcome) when it came back after the window', async () => {
    const { app, url } = await start('100ms');
    apps.push(app);
    const ws = new WsClient(url(), { resume: true, reconnect: { minDelay: 800, maxDelay: 800, jitter: 0 } });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    const welcomes: Array<{ sid: string; code: number }> = [];
    ws.on('ws.welcome', (data: { sid: string }, message) => welcomes.push({ sid: data.sid, code: message.code }));
    await ws.request('room.join', { room: 'r1' });
    cut(app, welcomes[0].sid);
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ state: 'open', resumed: false }), { timeout: 5000 });
    expect(welcomes[1].code).toBe(410);
    expect(welcomes[1].sid).not.toBe(welcomes[0].sid);
    expect(await ws.request('room.mine')).toEqual({ user: null, groups: [] }); // the app re-establishes its state
  });

  it('does not ask to resume without the option', async () => {
    const { app, url } = await start('20s');
    apps.push(app);
    const ws = new WsClient(url(), { reconnect: { minDelay: 50, maxDelay: 50, jitter: 0 } });
    clients.push(ws);
    const states: WsStateChange[] = [];
    ws.onState((change) => states.push(change));
    const sids: string[] = [];
    ws.on('ws.welcome', (data: { sid: string }) => sids.push(data.sid));
    await ws.request('room.join', { room: 'r1' });
    cut(app, sids[0]);
    await vi.waitFor(() => expect(sids).toHaveLength(2));
    expect(sids[1]).not.toBe(sids[0]);
    expect(states.at(-1)).toEqual({ state: 'open' });
  });
});
