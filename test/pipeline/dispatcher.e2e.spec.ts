import { WsModule } from 'nestjs-ws-spaces';
import { EchoFixture } from '../fixtures/echo.fixture.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('Dispatcher: the envelope in, the reply out', () => {
  let running: RunningApp;
  let client: TestClient;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot()], providers: [EchoFixture] });
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    client = await connect(running.wsUrl());
  });
  afterEach(closeAllClients);

  it('replies with the five fixed fields, the id echoed and time in unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    client.send({ name: 'test.args', data: { a: 1 }, id: 'r1' });
    const reply = await client.next();
    expect(Object.keys(reply)).toEqual(['code', 'name', 'data', 'text', 'time', 'id']);
    expect(reply).toMatchObject({ code: 0, name: 'test.args', data: { args: { a: 1 } }, text: '', id: 'r1' });
    expect(reply.time).toBeGreaterThanOrEqual(before);
    expect(reply.time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('accepts msg, args and seqno as aliases', async () => {
    client.send({ msg: 'test.args', args: { b: 2 }, seqno: 7 });
    expect(await client.next()).toMatchObject({ code: 0, name: 'test.args', data: { args: { b: 2 } }, id: 7 });
  });

  it('folds the other top-level fields into the arguments when there is neither data nor args', async () => {
    client.send({ name: 'test.args', id: 1, room: 'lobby', n: 3 });
    expect((await client.next()).data).toEqual({ args: { room: 'lobby', n: 3 } });
  });

  it('prefers name over msg (msg is not folded) and data over args', async () => {
    client.send({ name: 'test.args', msg: 'other', data: { d: 1 }, args: { a: 1 } });
    expect((await client.next()).data).toEqual({ args: { d: 1 } });
    client.send({ name: 'test.args', msg: 'other', x: 1 });
    expect((await client.next()).data).toEqual({ args: { x: 1 } });
  });

  it('gives {} for data null or nothing to fold, and passes strings, numbers and arrays as they are', async () => {
    client.send({ name: 'test.args', data: null });
    expect((await client.next()).data).toEqual({ args: {} });
    client.send({ name: 'test.args' });
    expect((await client.next()).data).toEqual({ args: {} });
    for (const data of ['s', 42, [1, 2]]) {
      client.send({ name: 'test.args', data });
      expect((await client.next()).data).toEqual({ args: data });
    }
  });

  it('never folds prototype keys into the arguments', async () => {
    client.send('{"name":"test.args","__proto__":{"polluted":true},"constructor":{"x":1},"ok":1}');
    const reply = await client.next();
    expect(reply.data).toEqual({ args: { ok: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers an unknown name with 404 and its name, keeping the connection', async () => {
    client.send({ name: 'no.such', id: 'q' });
    expect(await client.next()).toMatchObject({ code: 404, name: 'no.such', id: 'q' });
    expect((await client.request('test.args', {})).code).toBe(0);
  });

  it('answers malformed JSON with 400 and keeps the connection', async () => {
    client.send('{"name": "test.args",');
    expect(await client.next()).toMatchObject({ code: 400, name: 'test.args' }); // the part that was read
    client.send('not json');
    expect(await client.next()).toMatchObject({ code: 400, name: '' });
    expect((await client.request('test.args', {})).code).toBe(0);
  });

  it.each([
    ['an array', '[]'],
    ['a number', '42'],
    ['a string', '"s"'],
    ['null', 'null'],
    ['no name', '{"data":{}}'],
    ['an empty name', '{"name":""}'],
    ['a numeric name', '{"name":5}'],
    ['a name over 256 characters', JSON.stringify({ name: 'x'.repeat(257) })],
  ])('answers a top level that is %s with 400', async (_case, frame) => {
    client.send(frame);
    const reply = await client.next();
    expect(reply.code).toBe(400);
    expect(reply.id).toBeUndefined();
  });

  it('echoes a valid id on a 400 for a bad name, and refuses a bad id without echoing it', async () => {
    client.send({ name: '', id: 'keep' });
    expect(await client.next()).toMatchObject({ code: 400, id: 'keep' });
    client.send({ name: 'test.args', id: { no: 1 } });
    const objectId = await client.next();
    expect(objectId.code).toBe(400);
    expect(objectId.id).toBeUndefined();
    client.send({ name: 'test.args', id: 'i'.repeat(129) });
    const longId = await client.next();
    expect(longId.code).toBe(400);
    expect(longId.id).toBeUndefined();
  });

  it('treats an empty frame as a heartbeat: no reply', async () => {
    client.send('');
    client.send({ name: 'test.args', id: 'after' });
    expect((await client.next()).id).toBe('after');
  });

  it('reads a binary frame of UTF-8 JSON like a text frame, and answers other binary with 400', async () => {
    client.socket.send(Buffer.from(JSON.stringify({ name: 'test.args', data: { bin: true } })), { binary: true });
    expect((await client.next()).data).toEqual({ args: { bin: true } });
    client.socket.send(Buffer.from([0xff, 0xfe, 0x7b]), { binary: true });
    expect((await client.next()).code).toBe(400);
  });

  it('answers a throwing handler with 500 that does not leak the error, and keeps the connection', async () => {
    client.send({ name: 'test.throw', id: 'boom' });
    const reply = await client.next();
    expect(reply).toMatchObject({ code: 500, name: 'test.throw', id: 'boom', text: 'internal error' });
    expect(JSON.stringify(reply)).not.toContain('secret');
    expect((await client.request('test.args', {})).code).toBe(0);
  });

  it('sends nothing for a handler that returns nothing', async () => {
    client.send({ name: 'test.silent' });
    expect(await client.fence('test.silent')).toEqual([]); // the fence, with an id, is acknowledged
  });
});
