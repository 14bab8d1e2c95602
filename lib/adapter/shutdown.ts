import { WebSocket } from 'ws';
import type { Dispatcher } from '../pipeline/dispatcher.js';
import type { SessionLifecycle } from '../pipeline/session-lifecycle.js';
import { WsCloseCode } from '../protocol/ws-code.js';
import type { WsSession } from '../session/ws-session.js';

/** How long shutdown waits for clients to answer the 1001 close before cutting them off. */
export const CLOSE_GRACE_MS = 2_000;

export interface ShutdownParts {
  dispatcher: Dispatcher;
  lifecycle: SessionLifecycle;
  /** Read when the queues are flushed, so sessions that closed meanwhile are left out. */
  sessions: () => Iterable<WsSession>;
  sockets: () => Iterable<WebSocket>;
  /** `shutdownGrace`, in ms: running handlers and queued messages share it. */
  grace: number;
}

/**
 * Ends every session so that no accepted request loses its reply, once the caller refused new upgrades:
 *
 * 1. frames that arrive from now on are answered 503 with their `id`, not handled;
 * 2. the handlers already running get up to `grace` to finish (their replies enter the send queues);
 * 3. the queues get what is left of `grace` to reach the sockets;
 * 4. every socket is closed with 1001; a client that does not answer within 2 s is cut off;
 * 5. the close hooks (once each, as on any close) are awaited.
 */
export async function drainAndClose({ dispatcher, lifecycle, sessions, sockets, grace }: ShutdownParts): Promise<void> {
  const deadline = Date.now() + grace;
  dispatcher.drain();
  await withDeadline(dispatcher.idle(), grace);
  const flushed = [...sessions()].map((s) => s.outbox.flushed());
  await withDeadline(Promise.all(flushed), deadline - Date.now());
  await Promise.all([...sockets()].map((socket) => closeGracefully(socket, WsCloseCode.GOING_AWAY)));
  await lifecycle.settled();
}

function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function closeGracefully(socket: WebSocket, code: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(code, 'server shutting down');
  });
}
