import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsMessage, WsModule, WsSpace } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { SpaceCodecs } from '../../lib/protocol/space-codecs.js';
import { countEncodes } from '../helpers/count-encodes.js';

/** Handlers of the wsrv space, as a go-eyas/wsrv server would have them. */
@Injectable()
@WsSpace('wsrv')
class WsrvHandlers {
  @WsMessage('register', { desc: 'Registers a user' })
  register(ctx: WsContext<{ uid: number }>) {
    ctx.join('registered');
    return { uid: ctx.args.uid, sid: ctx.session.id };
  }

  @WsMessage('silent')
  silent(): void {}

  @WsMessage('forbidden')
  forbidden(ctx: WsContext) {
    ctx.deny('not yours');
  }

  @WsMessage('boom')
  boom(): never {
    throw new Error('secret detail');
  }
}

@Injectable()
@WsSpace('mapped')
class MappedHandlers {
  @WsMessage('echo')
  echo(ctx: WsContext) {
    return ctx.args;
  }
}

@Injectable()
class DefaultHandlers {
  @WsMessage('echo')
  echo(ctx: WsContext) {
    return ctx.args;
  }
}

/** The frames a client received, as text, parsed in order (keys in the order they were written). */
const text = (client: TestClient, at: number) => client.frames[at].toString();

async function frameAfter(client: TestClient, send: () => unknown): Promise<string> {
  const before = client.frames.length;
  await send();
  await client.next();
  return client.frames[before].toString();
}

describe('Wire dialects: a space speaks wsrv', () => {
  let running: RunningApp;
  let broker: WsBroker;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({
          spaces: {
            wsrv: { path: '/wsrv', envelope: 'wsrv', inherit: false },
            mapped: { path: '/mapped', envelope: { name: 'op', id: 'rid', code: 'c', text: 't', data: 'd', successText: 'done' }, inherit: false },
          },
        }),
      ],
      providers: [WsrvHandlers, MappedHandlers, DefaultHandlers],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('answers a wsrv request as wsrv does: cmd, seqno, status, msg "ok", data, and nothing else', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send('{"cmd":"register","seqno":7,"data":{"uid":42}}');
    await client.next();
    const frame = text(client, 0);
    const sid = JSON.parse(frame).data.sid;
    expect(frame).toBe(`{"cmd":"register","seqno":7,"status":0,"msg":"ok","data":{"uid":42,"sid":${JSON.stringify(sid)}}}`);
  });

  it('acknowledges a silent handler in the dialect, with a string seqno echoed', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ cmd: 'silent', seqno: 'unique string', data: {} });
    await client.next();
    expect(text(client, 0)).toBe('{"cmd":"silent","seqno":"unique string","status":0,"msg":"ok","data":null}');
  });

  it('carries an error as cmd, seqno, its status and its text in msg', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ cmd: 'forbidden', seqno: 1 });
    client.send({ cmd: 'nope', seqno: 2 });
    client.send({ cmd: 'boom', seqno: 3 });
    await client.next();
    await client.next();
    await client.next();
    const frames = client.frames.map((f) => f.toString());
    expect(frames).toContain('{"cmd":"forbidden","seqno":1,"status":403,"msg":"not yours","data":null}');
    expect(frames.map((f) => JSON.parse(f)).find((f) => f.seqno === 2)).toEqual({ cmd: 'nope', seqno: 2, status: 404, msg: expect.stringContaining('nope'), data: null });
    expect(frames).toContain('{"cmd":"boom","seqno":3,"status":500,"msg":"internal error","data":null}');
  });

  it('reads only the dialect fields: a default-envelope frame is refused, naming the wsrv field', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ name: 'register', id: 9, data: { uid: 1 } });
    await client.next();
    expect(JSON.parse(text(client, 0))).toEqual({ cmd: '', status: 400, msg: expect.stringContaining('"cmd" must be'), data: null });
    client.send({ cmd: 'register', seqno: { bad: true } });
    await client.next();
    expect(JSON.parse(text(client, 1))).toMatchObject({ cmd: 'register', status: 400, msg: expect.stringContaining('"seqno" must be') });
  });

  it('echoes cmd and seqno on a frame that is not JSON, read from its head', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send('{"seqno":"s-1","cmd":"register","data":{oops');
    await client.next();
    expect(text(client, 0)).toBe('{"cmd":"register","seqno":"s-1","status":400,"msg":"malformed message: not valid json","data":null}');
  });

  it('writes pushes, broadcasts and groupcasts in the dialect, without seqno', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ cmd: 'register', seqno: 1, data: { uid: 5 } });
    const sid = (await client.next()).data;
    expect(await frameAfter(client, () => broker.push(JSON.parse(text(client, 0)).data.sid, 'have_user_register', { uid: 5 }))).toBe(
      '{"cmd":"have_user_register","status":0,"msg":"ok","data":{"uid":5}}',
    );
    expect(sid).toBeDefined();
    expect(await frameAfter(client, () => broker.broadcast('news', [1], { space: 'wsrv' }))).toBe('{"cmd":"news","status":0,"msg":"ok","data":[1]}');
    expect(await frameAfter(client, () => broker.groupcast('registered', 'room', null, { space: 'wsrv', code: 7, text: 'heads up' }))).toBe(
      '{"cmd":"room","status":7,"msg":"heads up","data":null}',
    );
  });

  it('encodes a broadcast once per space, each space in its own envelope', async () => {
    const wsrv = await Promise.all([connect(running.wsUrl('/wsrv')), connect(running.wsUrl('/wsrv')), connect(running.wsUrl('/wsrv'))]);
    const plain = await connect(running.wsUrl('/ws'));
    const { calls } = await countEncodes(running.app.get(SpaceCodecs).codec('wsrv'), async () => {
      expect(await broker.broadcast('tick', { n: 1 }, { space: 'wsrv' })).toMatchObject({ hit: 3, success: 3 });
    });
    expect(calls).toBe(1);
    for (const client of wsrv) expect(await frameAfter(client, () => undefined)).toBe('{"cmd":"tick","status":0,"msg":"ok","data":{"n":1}}');
    await broker.broadcast('tick', { n: 2 });
    await plain.next();
    expect(JSON.parse(text(plain, 0))).toEqual({ code: 0, name: 'tick', data: { n: 2 }, text: '', time: expect.any(Number) });
    expect(Object.keys(JSON.parse(text(plain, 0)))).toEqual(['code', 'name', 'data', 'text', 'time']);
  });

  it('uses a custom mapping in and out, time included unless turned off', async () => {
    const client = await connect(running.wsUrl('/mapped'));
    client.send({ op: 'echo', rid: 'a', d: { x: 1 } });
    await client.next();
    const reply = JSON.parse(text(client, 0));
    expect(reply).toEqual({ op: 'echo', rid: 'a', c: 0, t: 'done', d: { x: 1 }, time: expect.any(Number) });
    expect(Object.keys(reply)).toEqual(['op', 'rid', 'c', 't', 'd', 'time']);
    client.send({ op: 'echo', rid: 'b', x: 2 }); // no data field: the other fields are the arguments
    await client.next();
    expect(JSON.parse(text(client, 1))).toMatchObject({ rid: 'b', d: { x: 2 } });
  });

  it('leaves the default envelope as it was', async () => {
    const client = await connect(running.wsUrl('/ws'));
    client.send({ msg: 'echo', seqno: 3, data: { y: 1 } });
    await client.next();
    expect(text(client, 0)).toMatch(/^\{"code":0,"name":"echo","data":\{"y":1\},"text":"","time":\d+,"id":3\}$/);
  });

  it('says the dialect in the export, and writes the space examples in it', async () => {
    const exp = broker.export();
    expect(exp.spaces.wsrv.envelope).toBe('wsrv');
    expect(exp.spaces.mapped.envelope).toEqual({ name: 'op', id: 'rid', code: 'c', text: 't', data: 'd', time: 'time', successText: 'done' });
    expect(exp.spaces.default.envelope).toBeUndefined();
    const register = exp.messages.find((m) => m.name === 'register')!;
    expect(register.request).toEqual({ cmd: 'register', seqno: 'r1', data: {} });
    expect(register.response).toEqual({ cmd: 'register', seqno: 'r1', status: 0, msg: 'ok', data: {} });
    const res = await fetch(running.httpUrl('/ws/export'));
    expect(((await res.json()) as { spaces: Record<string, { envelope?: unknown }> }).spaces.wsrv.envelope).toBe('wsrv');
  });

  it('shows the dialect field names in AsyncAPI', async () => {
    const doc = (await (await fetch(running.httpUrl('/ws/asyncapi.json'))).json()) as any;
    const inbound = doc.components.messages['wsrv.in.register'];
    expect(Object.keys(inbound.payload.properties)).toEqual(['cmd', 'seqno', 'data']);
    expect(inbound.payload.required).toEqual(['cmd']);
    const reply = doc.components.messages['wsrv.reply.register'];
    expect(Object.keys(reply.payload.properties)).toEqual(['cmd', 'seqno', 'status', 'msg', 'data']);
    expect(reply.examples[0].payload).toEqual({ cmd: 'register', seqno: 'r1', status: 0, msg: 'ok', data: {} });
    const plain = doc.components.messages['default.reply.echo'];
    expect(Object.keys(plain.payload.properties)).toEqual(['code', 'name', 'data', 'text', 'time', 'id']);
  });
});

describe('Wire dialects: refusals before parsing use the dialect too', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { wsrv: { path: '/wsrv', envelope: 'wsrv' } }, rateLimit: { rate: 0.001, burst: 1, closeAfter: 50 } })],
      providers: [WsrvHandlers],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('answers 429 with cmd and seqno', async () => {
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ cmd: 'silent', seqno: 1 });
    client.send({ cmd: 'silent', seqno: 2 });
    await client.next();
    await client.next();
    // The 429 is written at once, the ack after its handler: their order is not fixed.
    expect(client.frames.map((f) => f.toString()).sort()).toEqual([
      '{"cmd":"silent","seqno":1,"status":0,"msg":"ok","data":null}',
      '{"cmd":"silent","seqno":2,"status":429,"msg":"rate limited","data":null}',
    ]);
  });
});

/** Holds one request open, so the app stays in its shutdown drain while late frames arrive. */
@Injectable()
@WsSpace('wsrv')
class HeldHandlers {
  entered = false;
  release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  @WsMessage('hold')
  async hold() {
    this.entered = true;
    await this.gate;
  }
}

describe('Wire dialects: shutdown answers in the dialect', () => {
  it('answers 503 with cmd and seqno once shutdown began', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ spaces: { wsrv: { path: '/wsrv', envelope: 'wsrv' } }, shutdownGrace: '10s' })],
      providers: [WsrvHandlers, HeldHandlers],
    });
    const held = running.app.get(HeldHandlers);
    const client = await connect(running.wsUrl('/wsrv'));
    client.send({ cmd: 'hold', seqno: 'held' });
    await vi.waitFor(() => expect(held.entered).toBe(true));
    const closing = running.close();
    let late: Record<string, unknown> | undefined;
    for (let i = 0; i < 500 && !late; i++) {
      client.send({ cmd: 'silent', seqno: `late-${i}` });
      const reply = (await client.nextWhere((e) => String((e as unknown as { seqno: unknown }).seqno).startsWith('late-'))) as unknown as Record<string, unknown>;
      if (reply.status !== 0) late = reply;
    }
    expect(late).toEqual({ cmd: 'silent', seqno: expect.stringMatching(/^late-/), status: 503, msg: 'server is going away', data: null });
    expect(Object.keys(late!)).toEqual(['cmd', 'seqno', 'status', 'msg', 'data']);
    held.release();
    await closing;
  });
});
