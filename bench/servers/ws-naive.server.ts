import { WebSocket } from 'ws';
import { startPlainWs } from './plain-ws.js';
import { serve } from './serve.js';

// The common hand-written shape: serialize inside the loop, once per recipient.
serve(() =>
  startPlainWs((targets, event, data) => {
    for (const socket of targets) if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ event, data }));
  }),
);
