import { WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

/** Resolves with the close, or fails the test after `ms` (a flood that is never closed must not hang it). */
function closedWithin(client: TestClient, ms: number): Promise<{ code: number }> {
  return Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms; ${client.received.length} replies`)), ms)),
  ]);
}

/** Sends every frame in one TCP write, so the server reads the whole flood at once. */
function sendCorked(client: TestClient, frames: string[]): void {
  const raw = (client.socket as any)._socket;
  raw.cork();
  for (const frame of frames) client.send(frame);
  raw.uncork();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function echoLatencies(client: TestClient, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    expect((await client.request('whoami')).code).toBe(0);
    out.push(performance.now() - started);
  }
  return out;
}

describe('Floods are floods, whatever they contain', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await closeAllClients();
    await running?.close();
    running = undefined;
  });

  it('counts malformed frames against the rate limit before parsing them: 5,000 of them get 429s, then 1008', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ rateLimit: { rate: 50, burst: 50, closeAfter: 50 } })],
      providers: [MembershipHandlers],
    });
    const client = await connect(running.wsUrl());
    const kinds = ['not json', '{"data":{}}', JSON.stringify({ name: 'whoami', data: JSON.parse('['.repeat(80) + ']'.repeat(80)) })];
    sendCorked(client, Array.from({ length: 5000 }, (_, i) => kinds[i % kinds.length]));
    expect((await closedWithin(client, 10_000)).code).toBe(1008);
    const codes = client.received.map((e) => e.code);
    expect(codes.filter((c) => c === 400).length).toBeLessThanOrEqual(100); // the burst, and what refilled meanwhile
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(client.received.length).toBeLessThan(500); // never one reply per frame
    expect(running.app.get(WsMetrics).snapshot().total.rateLimited).toBeGreaterThan(0);
  });

  it('answers a throttled frame 429 with the id and name of its head, without parsing the rest', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ rateLimit: { rate: 1, burst: 1, closeAfter: 10 } })],
      providers: [MembershipHandlers],
    });
    const client = await connect(running.wsUrl());
    sendCorked(client, [
      JSON.stringify({ name: 'whoami', id: 'first' }),
      // Broken after its head: parsed, it would be a 400; throttled, it is never parsed.
      '{"name":"whoami","id":"second","data":{"unterminated',
    ]);
    expect(await client.nextWhere((e) => e.id === 'first')).toMatchObject({ code: 0 });
    expect(await client.nextWhere((e) => e.id === 'second')).toMatchObject({ code: 429, name: 'whoami', text: 'rate limited' });
  });

  it('throttles, then closes with 1008, a session pushing bytes past its budget, while a healthy client stays fast', async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({ maxMessageSize: 2 * 1024 * 1024, rateLimit: { rate: 1000, burst: 1000, bytesPerSecond: 256 * 1024 } }),
      ],
      providers: [MembershipHandlers],
    });
    const healthy = await connect(running.wsUrl());
    await echoLatencies(healthy, 10); // warm-up
    const idle = median(await echoLatencies(healthy, 30));

    const attacker = await connect(running.wsUrl());
    const frame = JSON.stringify({ name: 'whoami', data: 'x'.repeat(1024 * 1024) });
    let sent = 0;
    const flooding = (async () => {
      const deadline = Date.now() + 10_000;
      while (sent < 200 && Date.now() < deadline && attacker.socket.readyState === attacker.socket.OPEN) {
        if (attacker.socket.bufferedAmount < 8 * 1024 * 1024) {
          attacker.send(frame);
          sent++;
        } else {
          await eventually(() => attacker.socket.bufferedAmount < 8 * 1024 * 1024 || attacker.socket.readyState !== attacker.socket.OPEN, 10_000);
        }
      }
    })();
    const during = median(await echoLatencies(healthy, 30));
    expect((await closedWithin(attacker, 10_000)).code).toBe(1008);
    await flooding;

    expect(attacker.received.filter((e) => e.code === 0).length).toBeLessThanOrEqual(3); // the byte burst, no more
    expect(attacker.received.some((e) => e.code === 429)).toBe(true);
    expect(running.app.get(WsMetrics).snapshot().total.rateLimited).toBeGreaterThan(0);
    // Generous: the machine is shared; what matters is no order-of-magnitude slowdown.
    expect(during).toBeLessThanOrEqual(Math.max(idle * 10, idle + 100));
  });
});
