import type { ClientProtocol } from './client-protocol.interface.js';
import { openWs } from './open-ws.js';

/** nestjs-ws-spaces' envelope: `{name, data}` in, `{code, name, data, text, time}` out. */
export const spacesProtocol: ClientProtocol = {
  name: 'spaces',
  async connect(url, events, timeoutMs, localAddress) {
    const socket = await openWs(url, timeoutMs, localAddress);
    socket.on('error', () => undefined);
    socket.on('close', () => events.onClose());
    socket.on('message', (frame: Buffer) => {
      const envelope = JSON.parse(frame.toString());
      events.onEvent(envelope.name, envelope.data, envelope.code !== 0);
    });
    return {
      send: (event, data) => socket.send(JSON.stringify({ name: event, data })),
      close: () => socket.close(),
    };
  },
};
