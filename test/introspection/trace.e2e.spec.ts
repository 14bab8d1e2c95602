import { Injectable } from '@nestjs/common';
import { IsString } from 'class-validator';
import { WsContext, WsIntrospection, WsMessage, WsModule, WsSpace, type WsTraceReport } from 'nestjs-ws-spaces';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';

class NamedArgs {
  @IsString()
  who: string;
}

@Injectable()
class TracedHandlers {
  @WsMessage('hello', { args: NamedArgs, nullable: true })
  hello(ctx: WsContext<NamedArgs | null>) {
    return { hi: ctx.args?.who };
  }

  @WsMessage('closed')
  closed(ctx: WsContext) {
    ctx.deny('not today');
  }

  @WsMessage('boom')
  boom(): never {
    throw new Error('boom');
  }
}

@Injectable()
@WsSpace('side')
class SideHandlers {
  @WsMessage('side.ping')
  ping() {
    return {};
  }
}

const frame = (name: string, data: unknown, id: number) => JSON.stringify({ name, data, id });
const getTrace = async (running: RunningApp) => (await (await fetch(running.httpUrl('/ws/trace'))).json()) as WsTraceReport;

describe('The trace (option trace)', () => {
  afterEach(closeAllClients);

  it('serves the last N handled messages at /ws/trace, newest first, with space, name, code, µs, bytes and time', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ spaces: { side: '/side' }, trace: { size: 4 } })],
      providers: [TracedHandlers, SideHandlers],
    });
    try {
      const client = await connect(running.wsUrl());
      const side = await connect(running.wsUrl('/side'));
      const before = Date.now();
      // Sent one after another, each awaited, so the order is known: the first one falls out of a ring of 4.
      const sent: Array<[string, unknown, string]> = [
        ['hello', { who: 'ann' }, 'default'],
        ['hello', { who: 42 }, 'default'],
        ['closed', {}, 'default'],
        ['nobody', {}, 'default'],
        ['side.ping', {}, 'side'],
      ];
      for (const [i, [name, data, space]] of sent.entries()) {
        const socket = space === 'side' ? side : client;
        socket.send(frame(name, data, i));
        await socket.nextWhere((e) => e.id === i);
      }

      const res = await fetch(running.httpUrl('/ws/trace'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const trace = (await res.json()) as WsTraceReport;
      expect(trace.size).toBe(4);
      expect(trace.total).toBe(5);
      expect(trace.entries.map(({ space, name, code, bytes }) => ({ space, name, code, bytes }))).toEqual([
        { space: 'side', name: 'side.ping', code: 0, bytes: Buffer.byteLength(frame('side.ping', {}, 4)) },
        { space: 'default', name: 'nobody', code: 404, bytes: Buffer.byteLength(frame('nobody', {}, 3)) },
        { space: 'default', name: 'closed', code: 403, bytes: Buffer.byteLength(frame('closed', {}, 2)) },
        { space: 'default', name: 'hello', code: 400, bytes: Buffer.byteLength(frame('hello', { who: 42 }, 1)) },
      ]);
      for (const entry of trace.entries) {
        expect(entry.us).toBeGreaterThan(0);
        expect(entry.us).toBeLessThan(5_000_000);
        expect(entry.time).toBeGreaterThanOrEqual(before);
        expect(entry.time).toBeLessThanOrEqual(Date.now());
      }
      // The service gives the same report to an app that serves it itself.
      expect(running.app.get(WsIntrospection).trace()).toEqual(trace);
    } finally {
      await running.close();
    }
  });

  it('records a handler that failed as 500, and keeps 100 messages with trace: true', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ trace: true })], providers: [TracedHandlers] });
    try {
      const client = await connect(running.wsUrl());
      expect((await client.request('boom', {})).code).toBe(500);
      expect((await getTrace(running)).entries[0]).toMatchObject({ name: 'boom', code: 500 });
      for (let i = 0; i < 104; i++) await client.request('hello', { who: `n${i}` });
      const trace = await getTrace(running);
      expect(trace).toMatchObject({ size: 100, total: 105 });
      expect(trace.entries).toHaveLength(100);
      expect(trace.entries.every((e) => e.name === 'hello' && e.code === 0)).toBe(true);
    } finally {
      await running.close();
    }
  });

  it('is off by default: /ws/trace answers 404 saying how to turn it on', async () => {
    const running = await startApp({ imports: [WsModule.forRoot()], providers: [TracedHandlers] });
    try {
      const client = await connect(running.wsUrl());
      await client.request('hello', { who: 'ann' });
      const res = await fetch(running.httpUrl('/ws/trace'));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: expect.stringContaining('trace: true') });
      expect(running.app.get(WsIntrospection).trace()).toBeUndefined();
    } finally {
      await running.close();
    }
  });
});
