import { WebSocket } from 'ws';
import { startPlainWs } from './plain-ws.js';
import { serve } from './serve.js';

// Serialize once, into a Buffer, so `ws` neither stringifies nor re-encodes the text per recipient.
serve(() =>
  startPlainWs((targets, event, data) => {
    const bytes = Buffer.from(JSON.stringify({ event, data }));
    for (const socket of targets) if (socket.readyState === WebSocket.OPEN) socket.send(bytes, { binary: false });
  }),
);
