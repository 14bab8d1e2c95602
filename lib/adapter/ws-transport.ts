import * as ws from 'ws';
import { WebSocket } from 'ws';
import type { FrameCache, SessionTransport } from '../session/session-transport.interface.js';

// ws copies its options argument per send; two constants spare one allocation per message.
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

type FrameFn = (data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }) => Buffer[];
// Public in ws (socket.io-adapter frames broadcasts with it), missing from @types/ws.
const frame: FrameFn | undefined = (ws as unknown as { Sender?: { frame?: FrameFn } }).Sender?.frame;

interface SenderInternals {
  _state?: number;
  sendFrame?(list: Buffer[], cb?: (err?: Error) => void): void;
}

/**
 * The frame of `bytes`, from the send's cache when an earlier recipient of the same send framed them already: a
 * broadcast hands every recipient the same bytes, so it is framed once instead of once per recipient. The cache
 * lives as long as that send, so no frame outlives it, and no two apps in a process share one.
 */
function frameOf(bytes: Buffer, binary: boolean, cache: FrameCache | undefined): Buffer[] {
  if (cache?.bytes === bytes && cache.binary === binary) return cache.frame as Buffer[];
  const framed = frame!(bytes, { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: false, rsv1: false });
  if (cache) {
    cache.bytes = bytes;
    cache.binary = binary;
    cache.frame = framed;
  }
  return framed;
}

/** A `ws` socket as a session transport. */
export class WsTransport implements SessionTransport {
  // ws has no public cork; its underlying net.Socket does. Feature-detected, so a ws without `_socket` still works.
  private readonly raw: { cork(): void; uncork(): void } | undefined;
  /**
   * ws' sender, when frames can be handed to it ready-made: its `sendFrame` exists and no extension transforms
   * the payload (permessage-deflate frames differ per socket). Private API, detected, and optional: without it
   * every send goes through `ws.send`.
   */
  private readonly sender: SenderInternals | undefined;

  constructor(private readonly socket: WebSocket) {
    const internals = socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown }; _sender?: SenderInternals };
    const raw = internals._socket;
    this.raw = typeof raw?.cork === 'function' && typeof raw.uncork === 'function' ? (raw as never) : undefined;
    const sender = internals._sender;
    const deflate = socket.extensions.includes('permessage-deflate');
    this.sender = frame && !deflate && typeof sender?.sendFrame === 'function' ? sender : undefined;
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

  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void {
    const sender = this.sender;
    // The sender's state is 0 when it is idle (not deflating, not reading a Blob); only then may a frame skip its queue.
    if (sender && !sender._state && this.socket.readyState === WebSocket.OPEN) {
      sender.sendFrame!(frameOf(bytes, binary, frames), done);
      return;
    }
    this.socket.send(bytes, binary ? BINARY : TEXT, done);
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
