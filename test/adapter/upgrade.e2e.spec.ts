import { WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { HealthController, PingHandlers } from '../fixtures/ping.fixture.js';
import { freePort } from '../helpers/free-port.js';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { eventually, RecordingLogger, startApp, type RunningApp } from '../helpers/start-app.js';

/** Writes bytes straight onto the client's TCP socket, below ws, to forge frames a real client never sends. */
const writeRaw = (client: TestClient, bytes: number[]) => (client.socket as any)._socket.write(Buffer.from(bytes));

describe('The upgrade adapter', () => {
  let running: RunningApp;
  let logger: RecordingLogger;

  beforeAll(async () => {
    logger = new RecordingLogger();
    running = await startApp(
      {
        imports: [WsModule.forRoot({ spaces: { custom: '/socket/custom' }, maxMessageSize: 1024 })],
        controllers: [HealthController],
        providers: [PingHandlers],
      },
      logger,
    );
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('upgrades on every configured path of the HTTP server\'s own port', async () => {
    const plain = await connect(running.wsUrl('/ws'));
    const custom = await connect(running.wsUrl('/socket/custom'));
    expect((await plain.request('ping')).data).toEqual({ pong: true, space: 'default' });
    expect((await custom.request('ping')).data).toEqual({ pong: true, space: 'custom' });
  });

  it('writes text frames by default', async () => {
    const client = await connect(running.wsUrl());
    const frameIsBinary = new Promise<boolean>((resolve) => client.socket.once('message', (_data, isBinary) => resolve(isBinary)));
    client.send({ name: 'ping' });
    expect(await frameIsBinary).toBe(false);
  });

  it('refuses any other path with 404 and the HTTP app keeps serving', async () => {
    await expect(connect(running.wsUrl('/elsewhere'))).rejects.toMatchObject({ status: 404 });
    await expect(connect(running.wsUrl('/ws/deeper'))).rejects.toMatchObject({ status: 404 });
    const res = await fetch(running.httpUrl('/health'));
    expect(await res.json()).toEqual({ ok: true });
  });

  it.each([
    ['an unmasked frame', [0x81, 0x02, 0x68, 0x69]],
    ['a reserved opcode', [0x83, 0x80, 1, 2, 3, 4]],
  ])('closes only its own connection on %s, with 1002, counted and not logged as an error', async (_case, bytes) => {
    const metrics = running.app.get(WsMetrics);
    const failuresBefore = metrics.snapshot().total.receiveFailures;
    const bystander = await connect(running.wsUrl());
    const offender = await connect(running.wsUrl());
    writeRaw(offender, bytes);
    expect((await offender.closed).code).toBe(1002);
    expect((await bystander.request('ping')).code).toBe(0);
    expect(await eventually(() => metrics.snapshot().total.receiveFailures > failuresBefore)).toBe(true);
    expect(logger.lines.error).toEqual([]);
  });

  it('closes a connection that sends a frame over maxMessageSize with 1009, counted and not logged as an error', async () => {
    const metrics = running.app.get(WsMetrics);
    const failuresBefore = metrics.snapshot().total.receiveFailures;
    const bystander = await connect(running.wsUrl());
    const client = await connect(running.wsUrl());
    client.send(JSON.stringify({ name: 'ping', data: 'x'.repeat(2048) }));
    expect((await client.closed).code).toBe(1009);
    expect((await bystander.request('ping')).code).toBe(0);
    expect(await eventually(() => metrics.snapshot().total.receiveFailures > failuresBefore)).toBe(true);
    expect(logger.lines.error).toEqual([]);
  });

  it('accepts a frame of exactly maxMessageSize', async () => {
    const client = await connect(running.wsUrl());
    const frame = JSON.stringify({ name: 'ping', pad: '' });
    client.send(JSON.stringify({ name: 'ping', pad: 'x'.repeat(1024 - frame.length) }));
    expect((await client.next()).code).toBe(0);
  });
});

describe('The binary format option', () => {
  it('writes binary frames', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ format: 'binary' })], providers: [PingHandlers] });
    try {
      const client = await connect(running.wsUrl());
      const frameIsBinary = new Promise<boolean>((resolve) => client.socket.once('message', (_data, isBinary) => resolve(isBinary)));
      client.send({ name: 'ping' });
      expect(await frameIsBinary).toBe(true);
      expect((await client.next()).data).toEqual({ pong: true, space: 'default' });
      await closeAllClients();
    } finally {
      await running.close();
    }
  });
});

describe('The compression option', () => {
  it('is off by default and negotiates permessage-deflate when on', async () => {
    for (const compression of [false, true]) {
      const running = await startApp({ imports: [WsModule.forRoot({ compression })], providers: [PingHandlers] });
      try {
        const client = await connect(running.wsUrl());
        expect(client.socket.extensions.includes('permessage-deflate')).toBe(compression);
        expect((await client.request('ping', { pad: 'x'.repeat(4096) })).data).toEqual({ pong: true, space: 'default' });
        await closeAllClients();
      } finally {
        await running.close();
      }
    }
  });
});

describe('The standalone port option', () => {
  it('listens on a port of its own and leaves the HTTP server alone', async () => {
    const port = await freePort();
    const running = await startApp({ imports: [WsModule.forRoot({ port })], providers: [PingHandlers] });
    try {
      const client = await connect(`ws://127.0.0.1:${port}/ws`);
      expect((await client.request('ping')).code).toBe(0);
      await expect(connect(running.wsUrl('/ws'))).rejects.toBeDefined();
      await closeAllClients();
    } finally {
      await running.close();
    }
  });
});
