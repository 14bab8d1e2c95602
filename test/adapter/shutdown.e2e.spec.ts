import { Injectable } from '@nestjs/common';
import { WsContext, WsHook, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp } from '../helpers/start-app.js';

/** A handler the test holds open: every `slow` waits until the test opens the gate. */
@Injectable()
class SlowHandlers {
  entered = 0;
  readonly closes = new Map<string, number>();
  private open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  release(): void {
    this.open();
  }

  @WsMessage('slow')
  async slow(ctx: WsContext<{ n: number }>) {
    this.entered++;
    await this.gate;
    return { n: ctx.args.n };
  }

  @WsMessage('forever')
  async forever() {
    this.entered++;
    await new Promise(() => undefined);
  }

  @WsMessage('fast')
  fast() {
    return 'ok';
  }

  @WsHook('close')
  closed(ctx: WsContext) {
    this.closes.set(ctx.session.id, (this.closes.get(ctx.session.id) ?? 0) + 1);
  }
}

/** Sends `fast` until the server answers 503: the first frame handled after shutdown began. */
async function untilGoingAway(client: TestClient): Promise<{ code: number; id?: string | number; text: string; name: string }> {
  // Each probe is a round trip, so the loop paces itself; it is bounded in time, not in count.
  const deadline = Date.now() + 10_000;
  for (let i = 0; Date.now() < deadline; i++) {
    const reply = await client.request('fast', undefined, `late-${i}`);
    if (reply.code !== 0) return reply;
  }
  throw new Error('the server never began to shut down');
}

describe('Shutdown: a deploy loses no reply', () => {
  it('lets 200 requests inside a slow handler finish and reply, answers later frames 503, then closes with 1001', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ shutdownGrace: '10s' })], providers: [SlowHandlers] });
    const handlers = running.app.get(SlowHandlers);
    const clients = await Promise.all(Array.from({ length: 200 }, () => connect(running.wsUrl())));
    clients.forEach((client, n) => client.send({ name: 'slow', data: { n }, id: `slow-${n}` }));
    expect(await eventually(() => handlers.entered === 200, 10_000)).toBe(true);

    const closing = running.close();
    const late = await untilGoingAway(clients[0]);
    expect(late).toMatchObject({ code: 503, name: 'fast', text: 'server is going away' });
    expect(late.id).toMatch(/^late-/); // correlated: the frame's own id
    expect(handlers.entered).toBe(200); // the late frame was not handled
    expect(clients.every((c) => c.received.every((e) => e.name !== 'slow'))).toBe(true);

    handlers.release();
    await closing;
    const closes = await Promise.all(clients.map((c) => c.closed));
    expect(closes.every((c) => c.code === 1001)).toBe(true);
    clients.forEach((client, n) => {
      // Exactly one reply to the slow request, received before the close.
      expect(client.received.filter((e) => e.id === `slow-${n}`)).toEqual([expect.objectContaining({ code: 0, name: 'slow', data: { n } })]);
    });
    expect([...handlers.closes.values()]).toHaveLength(200);
    expect([...handlers.closes.values()].every((count) => count === 1)).toBe(true);
  });

  it('closes with 1001 after shutdownGrace when a handler never finishes', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ shutdownGrace: 300 })], providers: [SlowHandlers] });
    const handlers = running.app.get(SlowHandlers);
    const client = await connect(running.wsUrl());
    client.send({ name: 'forever', id: 'stuck' });
    expect(await eventually(() => handlers.entered === 1)).toBe(true);
    const started = Date.now();
    await running.close();
    expect((await client.closed).code).toBe(1001);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(300 + 2000); // the grace, with room for a loaded machine
  });
});
