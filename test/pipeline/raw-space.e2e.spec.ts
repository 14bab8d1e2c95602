import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsMetrics, WsModule, WsRaw, WsSpace } from 'nestjs-ws-spaces';
import { NotForbidden, RawEcho, RawTrail } from '../fixtures/raw.fixture.js';
import { RawClient } from '../helpers/raw-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

describe('Raw spaces: frames as they are, through the whole pipeline', () => {
  let running: RunningApp;
  let trail: RawTrail;
  let metrics: WsMetrics;
  const clients: RawClient[] = [];
  const connect = async () => {
    const client = await RawClient.connect(running.wsUrl('/raw'));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { raw: { path: '/raw', raw: true } } })],
      providers: [RawEcho, RawTrail, NotForbidden],
    });
    trail = running.app.get(RawTrail);
    metrics = running.app.get(WsMetrics);
  });
  afterAll(() => running.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
    // The server sees each close a moment after the client: wait for its hook before the next test's trail starts.
    await eventually(() => trail.steps.filter((s) => s.startsWith('open@')).length === trail.steps.filter((s) => s.startsWith('close@')).length);
    trail.steps.length = 0;
    trail.seen.length = 0;
  });

  it('echoes a text frame as text and a binary frame as binary, byte for byte', async () => {
    const client = await connect();
    client.send('hello, {not json');
    expect(await client.next()).toEqual({ binary: false, data: 'hello, {not json' });
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    client.send(bytes);
    const echoed = await client.next();
    expect(echoed.binary).toBe(true);
    expect(Buffer.compare(echoed.data as Buffer, bytes)).toBe(0);
    expect(trail.seen.map((s) => [s.isBinary, Buffer.isBuffer(s.data), s.name])).toEqual([
      [false, false, ''],
      [true, true, ''],
    ]);
    expect(trail.seen[0].args).toBe('hello, {not json'); // ctx.args is the frame too, for guards and pipes
  });

  it('runs open, receive, filter, send and close hooks around the handler', async () => {
    const client = await connect();
    client.send('one');
    await client.next();
    await client.terminate();
    await eventually(() => trail.steps.some((s) => s.startsWith('close@')));
    const sid = trail.steps.find((s) => s.startsWith('open@'))!.slice('open@'.length);
    expect(trail.steps).toEqual([`open@${sid}`, 'receive:one', 'filter:one', 'send:one', `close@${sid}`]);
  });

  it('lets a send hook replace the bytes of a raw reply', async () => {
    const client = await connect();
    client.send('rewrite-me');
    expect(await client.next()).toEqual({ binary: false, data: 'rewritten' });
  });

  it('sends nothing back for a filter that stops, a guard that refuses, a handler that returns nothing', async () => {
    const client = await connect();
    const failuresBefore = metrics.snapshot().spaces.raw.receiveFailures;
    for (const frame of ['filtered', 'forbidden', 'silent', 'deny']) client.send(frame);
    expect(await client.fence()).toEqual([]);
    expect(trail.seen.map((s) => s.data)).toEqual(['silent', 'deny', expect.stringMatching(/^fence-/)]);
    // The guard's refusal and ctx.deny() are deliberate: counted, not logged as errors, no envelope sent.
    expect(metrics.snapshot().spaces.raw.receiveFailures - failuresBefore).toBe(2);
  });

  it('counts and logs a handler that throws or returns something that is not bytes, and answers nothing', async () => {
    const client = await connect();
    const before = metrics.snapshot().spaces.raw.handlerErrors;
    client.send('throw');
    client.send('object');
    expect(await client.fence()).toEqual([]);
    expect(metrics.snapshot().spaces.raw.handlerErrors - before).toBe(2);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('counts raw frames and bytes in and out in the space metrics', async () => {
    const before = metrics.snapshot().spaces.raw;
    const client = await connect();
    client.send('12345');
    client.send(Buffer.alloc(10));
    await client.next();
    await client.next();
    const after = metrics.snapshot().spaces.raw;
    expect(after.messagesIn - before.messagesIn).toBe(2);
    expect(after.bytesIn - before.bytesIn).toBe(15);
    expect(after.messagesOut - before.messagesOut).toBe(2);
    expect(after.bytesOut - before.bytesOut).toBe(15);
  });

  it('shows the raw space in the export and in AsyncAPI', async () => {
    const exp = (await (await fetch(running.httpUrl('/ws/export'))).json()) as { spaces: Record<string, { raw?: boolean }> };
    expect(exp.spaces.raw.raw).toBe(true);
    expect(exp.spaces.default.raw).toBeUndefined();
    const doc = (await (await fetch(running.httpUrl('/ws/asyncapi.json'))).json()) as { channels: Record<string, any> };
    expect(doc.channels.raw).toMatchObject({ address: '/raw', messages: { raw: expect.any(Object) } });
  });
});

describe('Raw spaces: the session rate limit applies, without envelopes', () => {
  it('drops frames over the limit, then closes a flood with 1008', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ spaces: { raw: { path: '/raw', raw: true } }, rateLimit: { rate: 0.001, burst: 2, closeAfter: 3 } })],
      providers: [RawEcho, RawTrail, NotForbidden],
    });
    try {
      const client = await RawClient.connect(running.wsUrl('/raw'));
      for (let i = 0; i < 10; i++) client.send(`f${i}`);
      expect((await client.closed).code).toBe(1008);
      expect(client.frames).toEqual([
        { binary: false, data: 'f0' },
        { binary: false, data: 'f1' },
      ]);
      expect(running.app.get(WsMetrics).snapshot().spaces.raw.rateLimited).toBeGreaterThanOrEqual(3);
    } finally {
      await running.close();
    }
  });
});

@Injectable()
@WsSpace('raw')
class SecondRaw {
  @WsRaw()
  other() {}
}

@Injectable()
class RawInDefault {
  @WsRaw()
  misplaced() {}
}

describe('Raw spaces: bootstrap errors', () => {
  const boot = async (providers: any[]) => {
    const moduleRef = await Test.createTestingModule({
      imports: [WsModule.forRoot({ spaces: { raw: { path: '/raw', raw: true } } })],
      providers: [RawTrail, NotForbidden, ...providers],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('fails with two @WsRaw() handlers in one raw space, naming both', async () => {
    await expect(boot([RawEcho, SecondRaw])).rejects.toThrow(/Two @WsRaw\(\) handlers in raw space "raw": RawEcho\.echo and SecondRaw\.other/);
  });

  it('fails with a @WsRaw() handler in a space whose frames are envelopes', async () => {
    await expect(boot([RawInDefault])).rejects.toThrow(/RawInDefault\.misplaced is a @WsRaw\(\) handler of space "default"/);
  });
});
