import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** Answers an upgrade request with a plain HTTP error and closes the socket: no WebSocket ever exists. */
export function abortHandshake(socket: Duplex, status: number, message = STATUS_CODES[status] ?? 'Error'): void {
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Connection: close\r\nContent-Type: text/plain\r\n' +
        `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }
  socket.destroy();
}

/**
 * The error listener of a socket being upgraded: destroys it. One function for every socket, not a closure per
 * upgrade: a closure made where the request is in scope keeps the request (its headers, its head Buffer) alive
 * for as long as the connection lasts, about 1.5 KiB per idle connection.
 */
export function destroyOnError(this: Duplex): void {
  this.destroy();
}
