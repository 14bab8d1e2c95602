import { Injectable } from '@nestjs/common';
import { IsInt } from 'class-validator';
import { WsContext, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type Envelope, type TestClient } from '../helpers/ws-client.js';
import { eventually, realClock, startApp, type RunningApp } from '../helpers/start-app.js';

class CountArgs {
  @IsInt()
  n!: number;
}

/** One handler per path a request can take. */
@Injectable()
class EveryPath {
  private release!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  held = 0;

  open(): void {
    this.release();
  }

  @WsMessage('p.value')
  value() {
    return { ok: true };
  }

  @WsMessage('p.explicit')
  explicit(ctx: WsContext) {
    return ctx.reply('p.explicit.done', { ok: true });
  }

  @WsMessage('p.nothing')
  async nothing(): Promise<void> {}

  @WsMessage('p.throws')
  throws(): never {
    throw new Error('handler bug');
  }

  @WsMessage('p.denies')
  denies(ctx: WsContext): never {
    ctx.deny('no');
  }

  @WsMessage('p.replies.then.throws')
  async repliesThenThrows(ctx: WsContext) {
    await ctx.reply('p.partial');
    throw new Error('late failure');
  }

  @WsMessage('p.args', { args: CountArgs })
  args(ctx: WsContext<CountArgs>) {
    return { n: ctx.args.n };
  }

  @WsMessage('p.limited', { rate: { rate: 0.001, burst: 1 } })
  limited() {
    return 'once';
  }

  @WsMessage('p.held')
  async heldUntilOpen() {
    this.held++;
    await this.gate;
    return 'released';
  }

  /** Replies one event-loop turn later, after everything the frames sent before it produced (none waits on I/O). */
  @WsMessage('fence')
  async fence() {
    await new Promise((resolve) => setImmediate(resolve));
    return 'fence';
  }
}

/** How many replies carry each id, among everything the client received. */
function repliesPerId(client: TestClient): Map<string | number | undefined, Envelope[]> {
  const out = new Map<string | number | undefined, Envelope[]>();
  for (const e of client.received) out.set(e.id, [...(out.get(e.id) ?? []), e]);
  return out;
}

/** Sends a fence (again while it is rate limited) until it is handled: then nothing sent before it is still coming. */
async function fence(client: TestClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await client.request('fence', undefined, `fence-${i}`)).code === 0) return;
    // The rate limit refills with time. A refused fence counts against it too, so probe well below the refill
    // rate (100/s in the spec below) or the debt never clears on a slow machine.
    await realClock(50);
  }
  throw new Error('the fence was never handled');
}

describe('Invariant: every request with an id the server accepted gets exactly one reply', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await closeAllClients();
    await running?.close();
    running = undefined;
  });

  it('on every handling path: value, explicit reply, nothing (ack), errors, unknown name, invalid arguments, message rate', async () => {
    running = await startApp({ imports: [WsModule.forRoot()], providers: [EveryPath] });
    const client = await connect(running.wsUrl());
    const requests: Array<[string | number, unknown, number, string]> = [
      ['value', { name: 'p.value' }, 0, 'p.value'],
      ['explicit', { name: 'p.explicit' }, 0, 'p.explicit.done'],
      ['nothing', { name: 'p.nothing' }, 0, 'p.nothing'],
      ['throws', { name: 'p.throws' }, 500, 'p.throws'],
      ['denies', { name: 'p.denies' }, 403, 'p.denies'],
      ['replied-then-threw', { name: 'p.replies.then.throws' }, 0, 'p.partial'],
      ['unknown', { name: 'p.nope' }, 404, 'p.nope'],
      ['invalid', { name: 'p.args', data: { n: 'x' } }, 400, 'p.args'],
      ['missing', { name: 'p.args' }, 400, 'p.args'],
      ['valid', { name: 'p.args', data: { n: 3 } }, 0, 'p.args'],
      ['limited-1', { name: 'p.limited' }, 0, 'p.limited'],
      ['limited-2', { name: 'p.limited' }, 429, 'p.limited'],
      [12345, { name: 'p.value' }, 0, 'p.value'],
      ['too-deep', { name: 'p.value', data: JSON.parse('['.repeat(70) + ']'.repeat(70)) }, 400, 'p.value'],
    ];
    for (const [id, frame] of requests) client.send({ ...(frame as object), id });
    client.send({ name: 'p.nothing' }); // not a request: no reply
    await fence(client);

    const byId = repliesPerId(client);
    for (const [id, , code, name] of requests) {
      expect(byId.get(id), `replies to ${id}`).toHaveLength(1);
      expect(byId.get(id)![0], `reply to ${id}`).toMatchObject({ code, name });
    }
    expect(byId.get(undefined)).toBeUndefined(); // nothing without an id was answered
  });

  it('under the session rate limit: every request is answered, handled or 429', async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ rateLimit: { rate: 100, burst: 5, closeAfter: 1000 } })],
      providers: [EveryPath],
    });
    const client = await connect(running.wsUrl());
    const raw = (client.socket as any)._socket;
    raw.cork(); // one read: the burst is used up at once
    for (let i = 0; i < 30; i++) client.send({ name: i % 2 ? 'p.value' : 'p.nothing', id: i });
    raw.uncork();
    await fence(client);

    const byId = repliesPerId(client);
    const codes = Array.from({ length: 30 }, (_, i) => {
      expect(byId.get(i), `replies to ${i}`).toHaveLength(1);
      return byId.get(i)![0].code;
    });
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 0 || c === 429)).toBe(true);
  });

  it('across a shutdown: requests in handlers get their reply before the 1001, later ones get 503', async () => {
    running = await startApp({ imports: [WsModule.forRoot({ shutdownGrace: '10s' })], providers: [EveryPath] });
    const paths = running.app.get(EveryPath);
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(running!.wsUrl())));
    clients.forEach((c, i) => c.send({ name: 'p.held', id: `held-${i}` }));
    expect(await eventually(() => paths.held === 5)).toBe(true);

    const closing = running.close();
    running = undefined;
    // Until the server answers 503, it has not begun to shut down; each probe is a request and is answered once.
    // Each probe is a round trip, so the loop paces itself; it is bounded in time, not in count.
    let probes = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; probes++) {
      if ((await clients[0].request('p.value', undefined, `probe-${probes}`)).code === 503) break;
    }
    clients[1].send({ name: 'p.nothing', id: 'after-start' });
    await clients[1].nextWhere((e) => e.id === 'after-start');
    paths.open();
    await closing;

    for (const [i, client] of clients.entries()) {
      expect((await client.closed).code).toBe(1001); // the fence: nothing can follow the close
      const byId = repliesPerId(client);
      expect(byId.get(`held-${i}`)).toEqual([expect.objectContaining({ code: 0, data: 'released' })]);
      for (const [id, replies] of byId) expect(replies, `replies to ${id}`).toHaveLength(1);
    }
    expect(repliesPerId(clients[1]).get('after-start')).toEqual([expect.objectContaining({ code: 503, name: 'p.nothing' })]);
    expect(repliesPerId(clients[0]).get(`probe-${probes}`)).toEqual([expect.objectContaining({ code: 503 })]);
  });
});
