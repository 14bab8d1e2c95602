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
