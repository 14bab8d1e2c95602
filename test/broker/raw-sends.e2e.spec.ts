import { Injectable } from '@nestjs/common';
import { WsBroker, WsContext, WsHook, WsMessage, WsMetrics, WsModule, WsSpace } from 'nestjs-ws-spaces';
import { NotForbidden, RawEcho, RawTrail } from '../fixtures/raw.fixture.js';
import { RawClient, type RawFrame } from '../helpers/raw-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

/** Envelope-space handlers that send raw frames through the context. */
@Injectable()
class RawSenders {
  @WsMessage('whoami')
  whoami(ctx: WsContext) {
    return ctx.session.id;
  }

  @WsMessage('shout')
  async shout(ctx: WsContext<{ text: string }>) {
    return ctx.broadcastRaw(ctx.args.text, { space: 'raw', except: ctx.session.id });
  }

  @WsMessage('room.bytes')
  async roomBytes(ctx: WsContext<{ gid: string; bytes: number[] }>) {
    return ctx.groupcastRaw(ctx.args.gid, Buffer.from(ctx.args.bytes), { space: 'raw' });
  }

  @WsMessage('me.raw')
  async meRaw(ctx: WsContext) {
    await ctx.pushRaw(ctx.session.id, 'plain text, no envelope');
    return 'done';
  }
}

/** Records the bytes every send hook of the raw space saw, to prove a raw broadcast writes one Buffer to all. */
@Injectable()
@WsSpace('raw')
class RawOutputs {
  readonly outputs: Array<Buffer | string | undefined> = [];

  @WsHook('send')
  record(ctx: WsContext) {
    this.outputs.push(ctx.output);
  }
}

const text = (data: string): RawFrame => ({ binary: false, data });

describe('Raw sends: bytes as they are, through the same queues', () => {
  let running: RunningApp;
  let broker: WsBroker;
  const clients: RawClient[] = [];
  const open = async (path: string) => {
    const client = await RawClient.connect(running.wsUrl(path));
    clients.push(client);
    return client;
  };
  /** A raw-space client and its session id (the echo's "join" answers it and joins raw-room). */
  const member = async () => {
    const client = await open('/raw');
    client.send('join');
    return { client, sid: (await client.next()).data as string };
  };

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { raw: { path: '/raw', raw: true } } })],
      providers: [RawEcho, RawTrail, NotForbidden, RawSenders, RawOutputs],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
  });

  it('pushRaw sends a string as a text frame and a Buffer as a binary frame, in a raw space', async () => {
    const { client, sid } = await member();
    expect(await broker.pushRaw(sid, 'héllo')).toMatchObject({ hit: 1, success: 1, failed: 0 });
    expect(await broker.pushRaw(sid, Buffer.from([9, 8, 7]))).toMatchObject({ hit: 1, success: 1 });
    expect(await broker.pushRaw(sid, new Uint8Array([1, 2]))).toMatchObject({ hit: 1, success: 1 });
    expect(await client.next()).toEqual(text('héllo'));
    expect(await client.next()).toEqual({ binary: true, data: Buffer.from([9, 8, 7]) });
    expect(await client.next()).toEqual({ binary: true, data: Buffer.from([1, 2]) });
  });

  it('pushRaw reaches a session of an envelope space too, without an envelope', async () => {
    const client = await open('/ws');
    client.send(JSON.stringify({ name: 'me.raw', id: 1 }));
    const frames = [await client.next(), await client.next()];
    expect(frames[0]).toEqual(text('plain text, no envelope'));
    expect(JSON.parse(frames[1].data as string)).toMatchObject({ code: 0, name: 'me.raw', data: 'done', id: 1 });
  });

  it('broadcastRaw and groupcastRaw reach their space, skip except, and write one Buffer to everyone', async () => {
    const [m1, m2, m3] = await Promise.all([member(), member(), member()]);
    const outsider = await open('/raw'); // not in raw-room
    const recorder = running.app.get(RawOutputs);
    recorder.outputs.length = 0;
    const bytes = Buffer.from('bytes for everyone');
    expect(await broker.broadcastRaw(bytes, { space: 'raw', except: m3.sid })).toMatchObject({ hit: 3, success: 3 });
    expect(recorder.outputs).toHaveLength(3);
    expect(recorder.outputs.every((o) => o === bytes)).toBe(true);
    for (const c of [m1.client, m2.client, outsider]) expect(await c.next()).toEqual({ binary: true, data: bytes });
    expect(await broker.groupcastRaw('raw-room', 'room text', { space: 'raw' })).toMatchObject({ hit: 3, success: 3 });
    for (const c of [m1.client, m2.client, m3.client]) expect(await c.next()).toEqual(text('room text'));
    // Nothing else came: the outsider's next frame is its own echo.
    expect(await outsider.fence()).toEqual([]);
    expect(await m3.client.fence()).toEqual([]);
  });

  it('the context sends raw frames to another space, with except', async () => {
    const [m1, m2] = await Promise.all([member(), member()]);
    const sender = await open('/ws');
    sender.send(JSON.stringify({ name: 'shout', data: { text: 'hi raw space' }, id: 's' }));
    expect(JSON.parse((await sender.next()).data as string)).toMatchObject({ name: 'shout', data: { hit: 2, success: 2 } });
    for (const c of [m1.client, m2.client]) expect(await c.next()).toEqual(text('hi raw space'));
    sender.send(JSON.stringify({ name: 'room.bytes', data: { gid: 'raw-room', bytes: [0, 255] }, id: 'g' }));
    await sender.next();
    for (const c of [m1.client, m2.client]) expect(await c.next()).toEqual({ binary: true, data: Buffer.from([0, 255]) });
  });

  it('refuses data that is not a string or bytes before sending anything', async () => {
    const { client, sid } = await member();
    await expect(broker.pushRaw(sid, { an: 'object' } as never)).rejects.toThrow(/a raw send takes a string .* or a Buffer/);
    await expect(broker.broadcastRaw(42 as never, { space: 'raw' })).rejects.toThrow(TypeError);
    expect(await client.fence()).toEqual([]);
  });

  it('counts raw sends in the space metrics', async () => {
    const { client, sid } = await member();
    const metrics = running.app.get(WsMetrics);
    const before = metrics.snapshot().spaces.raw;
    await broker.pushRaw(sid, Buffer.alloc(100));
    await client.next();
    const after = metrics.snapshot().spaces.raw;
    expect(after.messagesOut - before.messagesOut).toBe(1);
    expect(after.bytesOut - before.bytesOut).toBe(100);
  });

  it('keeps each frame its type and its lane while they wait in the queue of a client that stopped reading', async () => {
    const { client, sid } = await member();
    const socket = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const filler = Buffer.alloc(64 * 1024, 1);
    let fillers = 0;
    // Bounded: the socket holds at most its high-water mark (1 MiB) plus what the kernel buffers before frames queue.
    while (broker.session(sid)!.queued === 0 && fillers < 400) {
      await broker.pushRaw(sid, filler, { queuePolicy: 'drop' });
      fillers++;
    }
    expect(broker.session(sid)!.queued).toBeGreaterThan(0);
    await broker.pushRaw(sid, 'queued text');
    await broker.pushRaw(sid, Buffer.from([1, 2, 3]));
    await broker.push(sid, 'envelope', { n: 1 });
    await broker.pushRaw(sid, 'urgent text', { priority: 'high' });
    socket.resume();
    expect(await eventually(() => client.frames.length >= fillers + 1 + 4, 10_000)).toBe(true);
    const isFiller = (f: RawFrame) => f.binary && (f.data as Buffer).length === filler.length;
    const after = client.frames.slice(1); // after the join answer
    expect(after.filter(isFiller)).toHaveLength(fillers); // every filler arrived as a binary frame
    expect(after.filter((f) => !isFiller(f))).toEqual([
      text('urgent text'), // the high lane overtook what was queued
      text('queued text'),
      { binary: true, data: Buffer.from([1, 2, 3]) },
      expect.objectContaining({ binary: false, data: expect.stringContaining('"name":"envelope"') }),
    ]);
    expect(after.findIndex((f) => f.data === 'urgent text')).toBeLessThan(after.findLastIndex(isFiller));
  });
});
