import { WsModule } from 'nestjs-ws-spaces';
import net from 'node:net';
import { PingHandlers } from '../fixtures/ping.fixture.js';
import { freePort } from '../helpers/free-port.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { realClock, startApp, type RunningApp } from '../helpers/start-app.js';

const TIMEOUT_MS = 400;

/** Opens a raw TCP connection, writes `bytes`, and resolves with what came back and when the server closed it. */
function rawConnection(port: number, bytes: string): { closed: Promise<{ afterMs: number; answer: string }>; socket: net.Socket } {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1', () => {
    if (bytes) socket.write(bytes);
  });
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => socket.on('close', () => resolve({ afterMs: Date.now() - started, answer })));
  return { closed, socket };
}

describe('The handshake timeout on a port the module owns', () => {
  let running: RunningApp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    running = await startApp({ imports: [WsModule.forRoot({ port, handshakeTimeout: TIMEOUT_MS })], providers: [PingHandlers] });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('cuts an upgrade request whose headers never complete, with 408', async () => {
    const { closed } = rawConnection(port, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    const { afterMs, answer } = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(afterMs).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it('cuts a connection that sends nothing at all', async () => {
    const { afterMs } = await rawConnection(port, '').closed;
    expect(afterMs).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it('leaves a completed handshake alone: the session outlives the timeout', async () => {
    const client = await connect(`ws://127.0.0.1:${port}/ws`);
    await realClock(TIMEOUT_MS * 2); // the handshake timer would have fired by now
    expect(await client.request('ping')).toMatchObject({ code: 0, data: { pong: true } });
  });
});
