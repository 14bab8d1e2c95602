import { type Delivery, WsBroker, WsCommand, WsMetrics, WsModule, type WsModuleOptions } from 'nestjs-ws-spaces';
import { Injectable } from '@nestjs/common';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect, type Envelope, pushFence, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp } from '../helpers/start-app.js';

@Injectable()
@WsCommand('urgent', { priority: 'high' })
@WsCommand('chatter', { priority: 'low' })
class DeclaredCommands {}

const PUSHES = 10_000;
const PAYLOAD = { blob: 'x'.repeat(4096) };
const QUEUE = 128;

/** Pauses the client's TCP socket: the server sees a peer that stopped reading. */
const pause = (client: TestClient) => (client.socket as any)._socket.pause();
const resume = (client: TestClient) => (client.socket as any)._socket.resume();

async function slowClientApp(options: WsModuleOptions) {
  const running = await startApp({
    imports: [WsModule.forRoot({ queueSize: QUEUE, ...options })],
    providers: [MembershipHandlers, DeclaredCommands],
  });
  const client = await connect(running.wsUrl());
  const sid = (await client.request('whoami')).data as string;
  return { running, client, sid, broker: running.app.get(WsBroker), metrics: running.app.get(WsMetrics) };
}

/** Pushes until the session's queue holds something, so later sends are known to be queued. */
async function fillSocket(broker: WsBroker, sid: string): Promise<number> {
  let sent = 0;
  while (broker.session(sid)!.queued === 0 && sent < 20_000) {
    await broker.push(sid, 'filler', PAYLOAD, { priority: 'normal', queuePolicy: 'drop' });
    sent++;
  }
  return sent;
}

/** Once the client reads again: everything it got before a fence pushed behind whatever is still queued. */
function settle(broker: WsBroker, sid: string, client: TestClient): Promise<Envelope[]> {
  return pushFence(broker, sid, client, 15_000);
}

describe('A client that stops reading', () => {
  afterEach(closeAllClients);

  it('drop: excess messages are discarded and counted; the session and its memory stay bounded', async () => {
    const { running, client, sid, broker, metrics } = await slowClientApp({ queuePolicy: 'drop' });
    try {
      pause(client);
      const deliveries = await Promise.all(Array.from({ length: PUSHES }, (_, i) => broker.push(sid, 'n', { i, ...PAYLOAD })));
      const session = broker.session(sid)!;
      expect(session.queued).toBeLessThanOrEqual(QUEUE);
      expect(session.transport.bufferedAmount).toBeLessThan(1024 * 1024 + 8192);
      const accepted = deliveries.filter((d) => d.success === 1).length;
      const refused = deliveries.filter((d) => d.failed === 1).length;
      expect(accepted + refused).toBe(PUSHES);
      expect(refused).toBeGreaterThan(0);
      expect(metrics.snapshot().spaces.default.dropped).toBe(refused);
      expect(metrics.snapshot().total.queued).toBe(session.queued);

      resume(client);
      const got = await settle(broker, sid, client);
      const received = got.length;
      expect(received).toBe(accepted);
      expect(PUSHES - received).toBe(metrics.snapshot().total.dropped);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      const numbers = got.map((e) => e.data.i);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    } finally {
      await running.close();
    }
  });

  it('close: the session is closed with 1013 at the first overflow, counted, and nothing more is accepted', async () => {
    const { running, client, sid, broker, metrics } = await slowClientApp({ queuePolicy: 'close' });
    try {
      pause(client);
      const deliveries = await Promise.all(Array.from({ length: PUSHES }, (_, i) => broker.push(sid, 'n', { i, ...PAYLOAD })));
      const accepted = deliveries.filter((d) => d.success === 1).length;
      const afterClose = deliveries.filter((d) => d.firstError?.message === 'session closed').length;
      expect(deliveries.filter((d) => /1013/.test(d.firstError?.message ?? ''))).toHaveLength(1);
      expect(accepted + afterClose + 1).toBe(PUSHES);
      expect(metrics.snapshot().total.slowClosed).toBe(1);

      resume(client);
      expect((await client.closed).code).toBe(1013);
      const received = client.received.length - 1;
      // What the client did not get: the overflowing message, the queue discarded with the session, and every
      // send after the close.
      expect(PUSHES - received).toBe(metrics.snapshot().total.dropped + afterClose);
    } finally {
      await running.close();
    }
  });

  it('block: a full queue holds the sender until there is room, and every accepted message arrives', async () => {
    const { running, client, sid, broker, metrics } = await slowClientApp({ queuePolicy: 'block', writeTimeout: '5s' });
    try {
      pause(client);
      // A push reaches the outbox before its first await: when this line is done, every frame is sent, queued,
      // blocked or refused.
      const pending = Array.from({ length: PUSHES }, (_, i) => broker.push(sid, 'n', { i, ...PAYLOAD }));
      const session = broker.session(sid)!;
      // Queued plus blocked, each bounded by queueSize.
      expect(session.queued).toBeLessThanOrEqual(2 * QUEUE);
      let settled = 0;
      pending.forEach((p) => p.then(() => settled++));
      await new Promise(setImmediate); // every promise already settled has run its callbacks
      expect(settled).toBeLessThan(PUSHES); // blocked sends have not resolved yet

      resume(client);
      const deliveries: Delivery[] = await Promise.all(pending);
      const accepted = deliveries.filter((d) => d.success === 1).length;
      const received = (await settle(broker, sid, client)).length;
      expect(received).toBe(accepted);
      expect(PUSHES - accepted).toBe(metrics.snapshot().total.dropped);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    } finally {
      await running.close();
    }
  });

  it('block: a sender waits at most writeTimeout, then resolves as failed; the stalled session is cut off', async () => {
    const { running, client, sid, broker, metrics } = await slowClientApp({ queuePolicy: 'block', writeTimeout: '400ms' });
    try {
      pause(client);
      await fillSocket(broker, sid);
      for (let i = 0; i < QUEUE; i++) void broker.push(sid, 'n', PAYLOAD);
      const started = Date.now();
      const blocked = await broker.push(sid, 'n', PAYLOAD);
      expect(blocked).toMatchObject({ hit: 1, success: 0, failed: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(await eventually(() => broker.session(sid) === undefined)).toBe(true);
      expect(metrics.snapshot().total.writeTimeouts).toBe(1);
    } finally {
      await running.close();
    }
  });

  it('writes high-priority messages before queued low ones', async () => {
    const { running, client, sid, broker } = await slowClientApp({ queuePolicy: 'drop' });
    try {
      pause(client);
      await fillSocket(broker, sid);
      for (let i = 0; i < 10; i++) await broker.push(sid, 'chatter', { i });
      for (let i = 0; i < 10; i++) await broker.push(sid, 'urgent', { i });
      resume(client);
      const order = (await settle(broker, sid, client)).map((e) => e.name).filter((n) => n === 'chatter' || n === 'urgent');
      expect(order).toEqual([...Array(10).fill('urgent'), ...Array(10).fill('chatter')]);
    } finally {
      await running.close();
    }
  });

  it('drops low-priority messages before normal ones under pressure', async () => {
    const { running, client, sid, broker, metrics } = await slowClientApp({ queuePolicy: 'drop' });
    try {
      pause(client);
      await fillSocket(broker, sid);
      const droppedBefore = metrics.snapshot().total.dropped;
      const queuedBefore = broker.session(sid)!.queued;
      for (let i = 0; i < 20; i++) await broker.push(sid, 'chatter', { i });
      // Fill the rest of the queue with normal messages: each one past the bound evicts a low one.
      const normals = QUEUE - queuedBefore;
      const results = [];
      for (let i = 0; i < normals; i++) results.push(await broker.push(sid, 'keep', { i }));
      expect(results.every((d) => d.success === 1)).toBe(true);
      expect(metrics.snapshot().total.dropped - droppedBefore).toBe(20);
      resume(client);
      const names = (await settle(broker, sid, client)).map((e) => e.name);
      expect(names.filter((n) => n === 'keep')).toHaveLength(normals);
      expect(names).not.toContain('chatter');
    } finally {
      await running.close();
    }
  });

  it('applies a send option over the declared command', async () => {
    const { running, client, sid, broker } = await slowClientApp({ queuePolicy: 'drop' });
    try {
      pause(client);
      await fillSocket(broker, sid);
      for (let i = 0; i < 5; i++) await broker.push(sid, 'chatter', { i: `low${i}` });
      await broker.push(sid, 'chatter', { i: 'promoted' }, { priority: 'high' });
      resume(client);
      const chatter = (await settle(broker, sid, client)).filter((e) => e.name === 'chatter').map((e) => e.data.i);
      expect(chatter[0]).toBe('promoted');
    } finally {
      await running.close();
    }
  });
});
