import { Injectable } from '@nestjs/common';
import { type Delivery, WsBroker, WsCommand, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
@WsCommand('notice', { priority: 'high' }) // high: `block` by default
class Notices {}

const HEALTHY = 20;
const BROADCASTS = 1000;
const QUEUE = 128;
const FILLER = { blob: 'x'.repeat(32 * 1024) }; // 128 of them stay under queueBytes: the message bound fills first

/**
 * Makes a session's queue full of normal-lane frames behind a socket its client no longer reads: a `block` send
 * to it can only wait (a high frame evicts low ones, never normal ones).
 */
async function stall(broker: WsBroker, client: TestClient, sid: string): Promise<void> {
  (client.socket as any)._socket.pause();
  for (let i = 0; i < 5000; i++) {
    const delivery = await broker.push(sid, 'filler', FILLER, { priority: 'normal', queuePolicy: 'drop' });
    if (delivery.failed === 1) return;
  }
  throw new Error('the stalled session never filled its queue');
}

describe('A send to many with one slow peer', () => {
  let running: RunningApp;
  let broker: WsBroker;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ queueSize: QUEUE, writeTimeout: '5s' })],
      providers: [MembershipHandlers, Notices],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  async function session(gid?: string, uid?: string): Promise<{ client: TestClient; sid: string }> {
    const client = await connect(running.wsUrl());
    const sid = (await client.request('whoami')).data as string;
    if (gid) await client.request('join', { gid });
    if (uid) await client.request('as', { uid });
    return { client, sid };
  }

  it('never waits on it: 1,000 sequential block broadcasts reach 20 healthy clients without a gap over 2 s', async () => {
    const healthy = await Promise.all(Array.from({ length: HEALTHY }, () => session()));
    const arrivals = healthy.map(() => [] as number[]);
    healthy.forEach(({ client }, i) =>
      client.socket.on('message', (data: Buffer) => {
        if (data.includes('"notice"')) arrivals[i].push(Date.now());
      }),
    );
    const slow = await session();
    await stall(broker, slow.client, slow.sid);

    const started = Date.now();
    const deliveries: Delivery[] = [];
    for (let i = 0; i < BROADCASTS && Date.now() - started < 60_000; i++) deliveries.push(await broker.broadcast('notice', { i }));

    expect(deliveries).toHaveLength(BROADCASTS);
    for (const d of deliveries) {
      expect(d.success).toBe(HEALTHY);
      expect(d.hit).toBe(d.success + d.failed + d.pending);
    }
    // The first ones wait for room in the slow peer's queue; none of them held the sender.
    expect(deliveries[0]).toMatchObject({ hit: HEALTHY + 1, pending: 1, failed: 0 });
    expect(deliveries.filter((d) => d.pending === 1).length).toBeGreaterThan(0);

    await eventually(() => arrivals.every((a) => a.length >= BROADCASTS), 30_000);
    for (const times of arrivals) {
      expect(times).toHaveLength(BROADCASTS);
      const gaps = times.map((t, i) => t - (i === 0 ? started : times[i - 1]));
      expect(Math.max(...gaps)).toBeLessThan(2000);
    }

    // The pending recipient settles when writeTimeout cuts the stalled session: counted as failed.
    const settled = await deliveries[0].settled;
    expect(settled).toMatchObject({ hit: HEALTHY + 1, success: HEALTHY, failed: 1, pending: 0 });
    expect(settled.firstError).toBeInstanceOf(Error);
    expect(deliveries[0].pending).toBe(1); // the delivery the sender already read does not change under it
    expect(running.app.get(WsMetrics).snapshot().total.writeTimeouts).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it.each(['broadcast', 'groupcast', 'pushUser', 'pushMany', 'pushUsers'] as const)('%s resolves at once and counts the slow peer as pending', async (kind) => {
    expect(await eventually(() => broker.sessions().length === 0)).toBe(true); // earlier cases' sessions are gone
    const fast = await session('room', 'user');
    const slow = await session('room', 'user');
    await stall(broker, slow.client, slow.sid);
    const started = Date.now();
    const send = {
      broadcast: () => broker.broadcast('notice'),
      groupcast: () => broker.groupcast('room', 'notice'),
      pushUser: () => broker.pushUser('user', 'notice'),
      pushMany: () => broker.pushMany([fast.sid, slow.sid], 'notice'),
      pushUsers: () => broker.pushUsers(['user'], 'notice'),
    }[kind];
    const delivery = await send();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(delivery).toMatchObject({ success: 1, pending: 1, failed: 0 });
    expect(await fast.client.nextWhere((e) => e.name === 'notice')).toBeDefined();
    // Settles when the slow peer goes away: its waiting frame fails with the session.
    slow.client.socket.terminate();
    expect(await delivery.settled).toMatchObject({ success: 1, failed: 1, pending: 0 });
  }, 20_000);

  it('settles at once, to the same counts, when nothing was pending', async () => {
    const { sid } = await session();
    const delivery = await broker.push(sid, 'notice');
    expect(delivery.pending).toBe(0);
    expect(await delivery.settled).toBe(delivery);
  });
});
