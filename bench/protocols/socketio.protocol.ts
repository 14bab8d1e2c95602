import { io } from 'socket.io-client';
import type { ClientProtocol } from './client-protocol.interface.js';

/** socket.io's own client, WebSocket transport only: its best case, with no long-polling upgrade dance. */
export const socketIoProtocol: ClientProtocol = {
  name: 'socket.io',
  connect(url, events, timeoutMs, localAddress) {
    return new Promise((resolve, reject) => {
      const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs, ...(localAddress ? { localAddress } : {}) });
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
      socket.once('connect', () => {
        socket.on('disconnect', () => events.onClose());
        socket.onAny((event: string, data: unknown) => events.onEvent(event, data, false));
        resolve({ send: (event, data) => socket.emit(event, data), close: () => socket.close() });
      });
    });
  },
};
