import { WebSocket } from 'ws';
import type { SessionTransport } from '../session/session-transport.interface.js';

/** A `ws` socket as a session transport. */
export class WsTransport implements SessionTransport {
  constructor(private readonly socket: WebSocket) {}

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
