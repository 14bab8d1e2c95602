import * as ws from 'ws';
import { WebSocket } from 'ws';
import { type TurnHeld, turnCoalescer } from '../queue/turn-coalescer.js';
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
 * Up to this size a frame's header and payload are joined into one Buffer: a copy that costs less than the second
 * `write` (and, in a corked socket, the second buffered chunk) it saves. Larger payloads keep two buffers.
 */
const JOIN_UP_TO = 16 * 1024;

/**
 * A socket held for the turn writes early once it holds this much: one write per 64 KiB is coalescing enough, and
 * the kernel keeps absorbing a large burst as it did without corking, so a turn that sends a lot to one socket hits
 * the outbox's high-water mark (and its queue policy) no sooner than before.
 */
const HOLD_UP_TO = 64 * 1024;

/**
 * The frame of `bytes`, from the send's cache when an earlier recipient of the same send framed them already: a
 * broadcast hands every recipient the same bytes, so it is framed once instead of once per recipient. The cache
 * lives as long as that send, so no frame outlives it, and no two apps in a process share one.
 */
function frameOf(bytes: Buffer, binary: boolean, cache: FrameCache | undefined): Buffer[] {
  if (cache?.bytes === bytes && cache.binary === binary) return cache.frame as Buffer[];
  let framed = frame!(bytes, { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: false, rsv1: false });
  if (framed.length === 2 && bytes.length <= JOIN_UP_TO) framed = [Buffer.concat(framed)];
  if (cache) {
    cache.bytes = bytes;
    cache.binary = binary;
    cache.frame = framed;
  }
  return framed;
}

/**
 * A `ws` socket as a session transport. Writes are coalesced per turn: the first send of a turn corks the socket and
 * the shared {@link turnCoalescer} uncorks it once the turn's work is done, so every frame of the turn leaves in one
 * write. Corking only holds bytes, in order, inside the socket: frames, `ws.send` fallbacks and close frames keep
 * the order they were written in, and `bufferedAmount` counts them, so the outbox's high-water rule sees them.
 */
export class WsTransport implements SessionTransport, TurnHeld {
  // ws has no public cork; its underlying net.Socket does. Feature-detected, so a ws without `_socket` still works.
  private readonly raw: { cork(): void; uncork(): void; readonly writableLength: number } | undefined;
  /**
   * ws' sender, when frames can be handed to it ready-made: its `sendFrame` exists and no extension transforms
   * the payload (permessage-deflate frames differ per socket). Private API, detected, and optional: without it
   * every send goes through `ws.send`.
   */
  private readonly sender: SenderInternals | undefined;
  /** Corked by this turn's first send, until the end of the turn. */
  private heldThisTurn = false;

  constructor(private readonly socket: WebSocket) {
    const internals = socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown }; _sender?: SenderInternals };
    const raw = internals._socket;
    this.raw = typeof raw?.cork === 'function' && typeof raw.uncork === 'function' ? (raw as never) : undefined;
    const sender = internals._sender;
    const deflate = socket.extensions.includes('permessage-deflate');
    this.sender = frame && !deflate && typeof sender?.sendFrame === 'function' ? sender : undefined;
  }

  /** Nested inside the turn's hold: the socket's cork is a counter, so the turn's uncork is still the one that writes. */
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

  endTurn(): void {
    if (!this.heldThisTurn) return;
    this.heldThisTurn = false;
    this.raw!.uncork();
  }

  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void {
    if (!this.heldThisTurn && this.raw) {
      this.heldThisTurn = true;
      this.raw.cork();
      turnCoalescer.add(this);
    }
    const sender = this.sender;
    // The sender's state is 0 when it is idle (not deflating, not reading a Blob); only then may a frame skip its queue.
    if (sender && !sender._state && this.socket.readyState === WebSocket.OPEN) {
      sender.sendFrame!(frameOf(bytes, binary, frames), done);
    } else {
      this.socket.send(bytes, binary ? BINARY : TEXT, done);
    }
    if (this.heldThisTurn && this.raw!.writableLength >= HOLD_UP_TO) this.endTurn();
  }

  ping(): void {
    this.socket.ping();
  }

  close(code: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  /** Writes what this turn holds first: destroying a corked socket would discard it, sent before the cut. */
  terminate(): void {
    this.endTurn();
    this.socket.terminate();
  }
}
