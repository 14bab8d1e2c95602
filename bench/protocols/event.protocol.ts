import type { ClientProtocol } from './client-protocol.interface.js';
import { openWs } from './open-ws.js';

/** The `{event, data}` frames of Nest's `WsAdapter`, which the hand-written `ws` servers speak too. */
export const eventProtocol: ClientProtocol = {
  name: 'event',
  async connect(url, events, timeoutMs, localAddress) {
    const socket = await openWs(url, timeoutMs, localAddress);
    socket.on('error', () => undefined);
    socket.on('close', () => events.onClose());
    socket.on('message', (frame: Buffer) => {
      const message = JSON.parse(frame.toString());
      events.onEvent(message.event, message.data, message.event === 'error');
    });
    return {
      send: (event, data) => socket.send(JSON.stringify({ event, data })),
      close: () => socket.close(),
    };
  },
};
