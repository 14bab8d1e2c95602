import { WebSocket } from 'ws';
import type { SessionTransport } from '../session/session-transport.interface.js';

/** A `ws` socket as a session transport. */
export class WsTransport implements SessionTransport {
  // ws has no public cork; its underlying net.Socket does. Feature-detected, so a ws without `_socket` still works.
  private readonly raw: { cork(): void; uncork(): void } | undefined;

  constructor(private readonly socket: WebSocket) {
    const raw = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket;
    this.raw = typeof raw?.cork === 'function' && typeof raw.uncork === 'function' ? (raw as never) : undefined;
  }

  cork(): void {
    this.raw?.cork();
  }

  uncork(): void {
    this.raw?.uncork();
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void): void {
    this.socket.send(bytes, { binary }, done);
  }

  ping(): void {
    this.socket.ping();
  }

  close(code: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }
}
