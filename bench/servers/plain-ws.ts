import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { burstSize, LISTEN, type StartedServer } from './serve.js';

/** How a hand-written server writes one outbound message to many sockets. */
export type Fanout = (targets: Iterable<WebSocket>, event: string, data: unknown) => void;

/**
 * A plain `ws` server as one would write it by hand: `{event, data}` frames, groups as a Map of Sets. Only the
 * fan-out strategy differs between the naive and the tuned variant.
 */
export async function startPlainWs(fanout: Fanout): Promise<StartedServer> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  const groups = new Map<string, Set<WebSocket>>();

  wss.on('connection', (socket) => {
    const joined = new Set<string>();
    socket.on('error', () => undefined);
    socket.on('message', (frame: Buffer) => {
      let message: { event?: string; data?: any };
      try {
        message = JSON.parse(frame.toString());
      } catch {
        return;
      }
      const { event, data } = message;
      if (event === 'echo') socket.send(JSON.stringify({ event: 'echo', data }));
      else if (event === 'join') {
        const gid = String(data?.group);
        let members = groups.get(gid);
        if (!members) groups.set(gid, (members = new Set()));
        members.add(socket);
        joined.add(gid);
        socket.send(JSON.stringify({ event: 'joined', data: { group: gid } }));
      } else if (event === 'broadcast') fanout(wss.clients, 'tick', data);
      else if (event === 'burst') for (let i = burstSize(data); i > 0; i--) fanout(wss.clients, 'tick', data);
      else if (event === 'groupcast') {
        const members = groups.get(String(data?.group));
        if (members) fanout(members, 'tick', data);
      }
    });
    socket.on('close', () => {
      for (const gid of joined) {
        const members = groups.get(gid);
        members?.delete(socket);
        if (members?.size === 0) groups.delete(gid);
      }
    });
  });

  await new Promise<void>((resolve) => http.listen(LISTEN.port, LISTEN.host, resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    path: '/ws',
    close: () =>
      new Promise((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => http.close(() => resolve()));
      }),
  };
}
