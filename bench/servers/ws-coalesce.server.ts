import * as ws from 'ws';
import { WebSocket } from 'ws';
import { startPlainWs } from './plain-ws.js';
import { serve } from './serve.js';

/**
 * The ceiling for write coalescing: plain `ws`, each broadcast serialized and framed once (one Buffer, header and
 * payload, shared by every recipient), and every socket touched in an event-loop turn corked until the turn ends,
 * so a burst of broadcasts leaves each socket in one write. It reaches into `ws`' internals (`_socket`, `_sender`)
 * the way a hand-tuned server would; it is a baseline, not a pattern to copy.
 */
type FrameFn = (data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }) => Buffer[];
const frame = (ws as unknown as { Sender: { frame: FrameFn } }).Sender.frame;

interface Internals {
  _socket: { cork(): void; uncork(): void };
  _sender: { _state?: number; sendFrame(list: Buffer[], cb?: () => void): void };
}

const corked = new Set<Internals['_socket']>();
let uncorkScheduled = false;

// setImmediate runs after the poll phase: every message read in this turn has been handled by then.
function uncorkAll(): void {
  uncorkScheduled = false;
  for (const raw of corked) raw.uncork();
  corked.clear();
}

serve(() =>
  startPlainWs((targets, event, data) => {
    const bytes = Buffer.from(JSON.stringify({ event, data }));
    const framed = [Buffer.concat(frame(bytes, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }))];
    for (const socket of targets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      const { _socket: raw, _sender: sender } = socket as unknown as Internals;
      if (!corked.has(raw)) {
        raw.cork();
        corked.add(raw);
        if (!uncorkScheduled) {
          uncorkScheduled = true;
          setImmediate(uncorkAll);
        }
      }
      // The sender's state is 0 when idle; otherwise its queue keeps the order, and ws frames this one itself.
      if (!sender._state) sender.sendFrame(framed);
      else socket.send(bytes, { binary: false });
    }
  }),
);
