import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { abortHandshake } from './abort-handshake.js';

const kTimer = Symbol('ws-spaces:handshake-timer');
type TimedSocket = Duplex & { [kTimer]?: NodeJS.Timeout };

/**
 * Cuts connections to a server the module owns whose request headers do not complete within `ms`: a client that
 * opens TCP and sends nothing, or headers a byte at a time, would otherwise hold a socket forever (Node's own
 * `headersTimeout` starts only with the first byte, and is checked every 30 s). The timer is cleared as soon as a
 * request or an upgrade arrives, i.e. when its headers are complete; the 408 is written only if nothing else was.
 */
export function cutSlowHandshakes(server: Server, ms: number): void {
  server.on('connection', (socket: Socket) => {
    const timed = socket as Socket & TimedSocket;
    timed[kTimer] = setTimeout(() => abortHandshake(socket, 408), ms);
    socket.once('close', () => handshakeDone(socket));
  });
  server.on('request', (request) => handshakeDone(request.socket));
}

/** The request's headers are complete: the socket is no longer at risk of being cut. */
export function handshakeDone(socket: Duplex): void {
  const timed = socket as TimedSocket;
  if (timed[kTimer] === undefined) return;
  clearTimeout(timed[kTimer]);
  timed[kTimer] = undefined;
}
