import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsHook, WsMessage, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { deflateRawSync } from 'node:zlib';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { eventually, realClock, startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
class CloseCounter {
  readonly closes = new Map<string, number>();

  @WsHook('close')
  closed(ctx: WsContext) {
    this.closes.set(ctx.session.id, (this.closes.get(ctx.session.id) ?? 0) + 1);
  }

  @WsMessage('limited', { rate: { rate: 1, burst: 2 } })
  limited() {
    return 'ok';
  }

  @WsMessage('per.user', { rate: { rate: 1, burst: 1, per: 'user' } })
  perUser() {
    return 'ok';
  }
}

describe('Heartbeats', () => {
  let running: RunningApp;
  afterEach(async () => {
    await closeAllClients();
    await running?.close();
  });

  it('terminates a peer that never answers pings within readTimeout + pingInterval; its close hook runs once', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ pingInterval: 100, readTimeout: 300 })],
      providers: [MembershipHandlers, CloseCounter],
    });
    const silent = await connect(running.wsUrl(), { autoPong: false });
    const sid = (await silent.request('whoami')).data;
    const lively = await connect(running.wsUrl());
    const started = Date.now();
    const { code } = await silent.closed;
    expect(code).toBe(1006); // terminated: no close frame
    expect(Date.now() - started).toBeLessThan(300 + 100 + 400); // the bound, with room for a busy machine
    const counter = running.app.get(CloseCounter);
    expect(await eventually(() => counter.closes.get(sid) === 1)).toBe(true);
    await realClock(150); // another ping interval: the heartbeat must not end the gone session a second time
    expect(counter.closes.get(sid)).toBe(1);
    expect(running.app.get(WsMetrics).snapshot().total.readTimeouts).toBe(1);
    expect((await lively.request('whoami')).code).toBe(0); // a client that pongs stays
  });
});

describe('Limits', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await closeAllClients();
    await running?.close();
    running = undefined;
  });

  it('answers upgrades past maxConnections with 503 before any WebSocket exists', async () => {
    running = await startApp({ imports: [WsModule.forRoot({ maxConnections: 2 })], providers: [MembershipHandlers] });
    await connect(running.wsUrl());
    await connect(running.wsUrl());
    await expect(connect(running.wsUrl())).rejects.toMatchObject({ status: 503 });
    expect(running.app.get(WsMetrics).snapshot().total.refused).toBe(1);
  });

  it('applies a space\'s own connection limit', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { small: { path: '/small', maxConnections: 1 } } })],
      providers: [MembershipHandlers],
    });
    await connect(running.wsUrl('/small'));
    await expect(connect(running.wsUrl('/small'))).rejects.toMatchObject({ status: 503 });
    await connect(running.wsUrl('/ws'));
  });

  it('answers a flood with 429, then closes a session that keeps flooding with 1008', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ rateLimit: { rate: 5, burst: 5, closeAfter: 10 } })],
      providers: [MembershipHandlers],
    });
    const client = await connect(running.wsUrl());
    for (let i = 0; i < 40; i++) client.send({ name: 'whoami', id: i });
    expect((await client.closed).code).toBe(1008);
    const codes = client.received.map((e) => e.code);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(5);
    expect(codes).toContain(429);
    expect(client.received.find((e) => e.code === 429)).toMatchObject({ name: 'whoami', text: 'rate limited' });
    expect(running.app.get(WsMetrics).snapshot().total.rateLimited).toBeGreaterThan(0);
  });

  it('still answers the messages accepted before a flood that arrives in one read, ahead of the 1008', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ rateLimit: { rate: 5, burst: 5, closeAfter: 10 } })],
      providers: [MembershipHandlers],
    });
    const client = await connect(running.wsUrl());
    const raw = (client.socket as any)._socket;
    raw.cork(); // one TCP write: the server reads every frame in one go
    for (let i = 0; i < 40; i++) client.send({ name: 'whoami', id: i });
    raw.uncork();
    expect((await client.closed).code).toBe(1008);
    expect(client.received.filter((e) => e.code === 0).map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('applies a message\'s own rate per session, and per user when asked', async () => {
    running = await startApp({ imports: [WsModule.forRoot()], providers: [MembershipHandlers, CloseCounter] });
    const client = await connect(running.wsUrl());
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await client.request('limited')).code);
    expect(codes).toEqual([0, 0, 429, 429]);
    expect((await client.request('whoami')).code).toBe(0); // other messages are not limited

    const a = await connect(running.wsUrl());
    const b = await connect(running.wsUrl());
    await a.request('as', { uid: 'same' });
    await b.request('as', { uid: 'same' });
    expect((await a.request('per.user')).code).toBe(0);
    expect((await b.request('per.user')).code).toBe(429); // the same user's bucket, from another session
  });

  it('refuses a compressed frame that inflates past maxMessageSize with 1009', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ compression: true, maxMessageSize: 1024 })],
      providers: [MembershipHandlers],
    });
    const client = await connect(running.wsUrl(), { perMessageDeflate: true });
    const big = JSON.stringify({ name: 'whoami', data: 'a'.repeat(50_000) });
    expect(deflateRawSync(big).length).toBeLessThan(1024); // small on the wire, big once inflated
    client.send(big);
    expect((await client.closed).code).toBe(1009);
  });

  it('compresses with permessage-deflate when on, and still talks', async () => {
    running = await startApp({ imports: [WsModule.forRoot({ compression: true })], providers: [MembershipHandlers] });
    const client = await connect(running.wsUrl(), { perMessageDeflate: true });
    expect(client.socket.extensions).toContain('permessage-deflate');
    expect((await client.request('whoami')).code).toBe(0);
  });
});

describe('Shutdown', () => {
  it('flushes queued messages to a reading client before closing it with 1001; close hooks run once', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ shutdownGrace: '3s' })],
      providers: [MembershipHandlers, CloseCounter],
    });
    const client = await connect(running.wsUrl());
    const sid = (await client.request('whoami')).data;
    const broker = running.app.get(WsBroker);
    const counter = running.app.get(CloseCounter);
    (client.socket as any)._socket.pause();
    const payload = 'y'.repeat(4096);
    let pushed = 0;
    while (broker.session(sid)!.queued < 50 && pushed < 20_000) {
      await broker.push(sid, 'n', { payload, i: pushed++ });
    }
    expect(broker.session(sid)!.queued).toBeGreaterThan(0);
    // Resume reading only once shutdown waits for this queue, so the flush it waits for is the one under test.
    const outbox = broker.session(sid)!.outbox;
    const flushed = outbox.flushed.bind(outbox);
    const waitedOn = new Promise<void>((resolve) => {
      outbox.flushed = () => {
        resolve();
        return flushed();
      };
    });
    const closing = running.close();
    await waitedOn;
    expect(broker.session(sid)!.queued).toBeGreaterThan(0);
    (client.socket as any)._socket.resume();
    await closing;
    const { code } = await client.closed;
    expect(code).toBe(1001);
    expect(client.received.filter((e) => e.name === 'n')).toHaveLength(pushed);
    expect(counter.closes.get(sid)).toBe(1);
    await expect(connect(running.wsUrl())).rejects.toBeDefined();
  });
});
