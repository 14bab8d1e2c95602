import type { INestApplication } from '@nestjs/common';
import { WsMetrics } from 'nestjs-ws-spaces';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsClient, type WsStateChange } from '../../lib/client/index.js';
import { startCalcApp } from './client-app.js';

describe('WsClient heartbeats', () => {
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('sends empty frames while idle: the server counts them and answers nothing', async () => {
    const { app, url } = await startCalcApp();
    try {
      const ws = new WsClient(url(), { heartbeat: { interval: 40 } });
      clients.push(ws);
      const received: unknown[] = [];
      ws.on('*', (_d, m) => received.push(m));
      await ws.request('calc.add', { a: 1, b: 1 });
      const before = app.get(WsMetrics).snapshot().total.messagesIn;
      await vi.waitFor(() => expect(app.get(WsMetrics).snapshot().total.messagesIn).toBeGreaterThanOrEqual(before + 3), { timeout: 3000 });
      expect(received).toHaveLength(1); // the reply to the request, nothing for the heartbeats
      expect(app.get(WsMetrics).snapshot().total.parseFailures).toBe(0);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await (app as INestApplication).close();
    }
  });

  /** A peer that accepts the upgrade and then says nothing: no frame, no ping (a server that hung, a dead route). */
  const silentServer = async (pingEvery?: number) => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const sockets: WebSocket[] = [];
    const timers: NodeJS.Timeout[] = [];
    server.on('connection', (socket) => {
      sockets.push(socket);
      if (pingEvery) timers.push(setInterval(() => socket.ping(), pingEvery));
    });
    const { port } = server.address() as { port: number };
    return {
      url: `ws://127.0.0.1:${port}/`,
      sockets,
      close: async () => {
        timers.forEach(clearInterval);
        sockets.forEach((s) => s.terminate());
        await new Promise((resolve) => server.close(resolve));
      },
    };
  };

  it('takes a connection that stays silent past the timeout for dead, and reconnects', async () => {
    const server = await silentServer();
    try {
      const ws = new WsClient(server.url, { heartbeat: { interval: 50, timeout: 200 }, reconnect: { minDelay: 20, maxDelay: 50 } });
      clients.push(ws);
      const states: WsStateChange[] = [];
      ws.onState((s) => states.push(s));
      await vi.waitFor(() => expect(states.find((s) => s.state === 'reconnecting')).toEqual({ state: 'reconnecting', code: 1006, reason: 'heartbeat timeout' }), { timeout: 3000 });
      await vi.waitFor(() => expect(server.sockets.length).toBeGreaterThanOrEqual(2), { timeout: 3000 }); // it came back
    } finally {
      await server.close();
    }
  });

  it('keeps a connection whose server pings (under ws the pings count as signs of life)', async () => {
    const server = await silentServer(40);
    try {
      const ws = new WsClient(server.url, { heartbeat: { interval: 50, timeout: 200 } });
      clients.push(ws);
      const states: WsStateChange[] = [];
      ws.onState((s) => states.push(s));
      await vi.waitFor(() => expect(ws.state).toBe('open'));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
    } finally {
      await server.close();
    }
  });
});
