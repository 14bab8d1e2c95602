import type { WsPriority, WsQueuePolicy } from '../interfaces/ws-module-options.interface.js';
import type { FrameCache, SessionTransport } from '../session/session-transport.interface.js';
import { SendQueue } from './send-queue.js';

export interface OutboxSettings {
  maxMessages: number;
  maxBytes: number;
  /** Bytes the socket may hold unsent before frames wait in the queue instead. */
  highWater: number;
  /** How long a blocked send waits for room, and how long a stalled socket is given before it is cut. */
  writeTimeout: number;
  binary: boolean;
}

/** Where an outbox reports what happened to its frames; the adapter points these at the space's counters. */
export interface OutboxObserver {
  sent(bytes: number): void;
  dropped(count: number): void;
  slowClosed(): void;
  writeTimedOut(): void;
}

/** Why a frame was not accepted; one instance each, so a failed broadcast allocates nothing per session. */
export const OUTBOX_ERRORS = {
  closed: new Error('session closed'),
  dropped: new Error('send queue full: message dropped'),
  slowClosed: new Error('send queue full: session closed (1013)'),
  timedOut: new Error('send queue full: no room within writeTimeout'),
} as const;

/** Accepted (`undefined`), refused (an Error), or, for a blocked send, a promise of one of those. */
export type WriteResult = Error | undefined | Promise<Error | undefined>;

interface Blocked {
  frame: Buffer;
  priority: WsPriority;
  resolve: (result: Error | undefined) => void;
  timer: NodeJS.Timeout;
}

const SLOW_CLOSE = 1013;

/**
 * Marks a queued frame whose type is not the outbox's (a raw text frame in a binary outbox, or the reverse): lanes
 * hold bare Buffers, so the mark rides on a view of the frame's bytes (no copy). Only frames that wait are marked;
 * the frames of the envelope never are.
 */
const kOtherType = Symbol('ws-spaces:other-frame-type');
type MarkedFrame = Buffer & { [kOtherType]?: true };

function markOtherType(frame: Buffer): Buffer {
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length) as MarkedFrame;
  view[kOtherType] = true;
  return view;
}

/**
 * The send path of one session. Frames go straight to the socket while it keeps up; once it holds `highWater`
 * bytes, they wait in the priority queue and are pumped out as the socket flushes (the write callback of the last
 * frame written is the signal, so no private socket API is needed). A full queue applies the send's policy.
 * Memory per session is bounded by `highWater` + `maxBytes`, plus at most `maxMessages` blocked sends.
 */
export class SessionOutbox {
  // Created on first use: most sessions never queue, and an idle connection should cost as little as ws' own.
  // So are the blocked sends, the flush waiters and the flush callback.
  private queueInstance: SendQueue | undefined;
  private blocked: Blocked[] | undefined;
  private flushPending = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private flushWaiters: Array<() => void> | undefined;
  private flushCallback: ((err?: Error) => void) | undefined;
  private disposed = false;

  constructor(
    private readonly transport: SessionTransport,
    private readonly settings: OutboxSettings,
    private readonly observer: OutboxObserver,
  ) {
  }

  private get queue(): SendQueue {
    return (this.queueInstance ??= new SendQueue({ maxMessages: this.settings.maxMessages, maxBytes: this.settings.maxBytes }));
  }

  /** Frames waiting: queued plus blocked sends. */
  get depth(): number {
    return (this.queueInstance?.size ?? 0) + (this.blocked?.length ?? 0);
  }

  get queuedBytes(): number {
    return this.queueInstance?.bytes ?? 0;
  }

  /**
   * `binary`: the frame's type when it is not the outbox's own (raw frames); envelopes leave it out. `frames`: the
   * send's frame cache, used when the frame goes out at once; a queued frame leaves later, on its own, and is
   * framed then.
   */
  write(frame: Buffer, priority: WsPriority, policy: WsQueuePolicy, binary = this.settings.binary, frames?: FrameCache): WriteResult {
    if (this.disposed || !this.transport.isOpen) return OUTBOX_ERRORS.closed;
    if (!this.flushPending && this.depth === 0) {
      if (this.transport.bufferedAmount + frame.length < this.settings.highWater) {
        this.send(frame, false, binary, frames);
      } else {
        this.send(frame, true, binary, frames); // this frame fills the socket: its write callback tells us when there is room
      }
      return undefined;
    }
    if (binary !== this.settings.binary) frame = markOtherType(frame);
    const evicted = this.queue.offer(frame, priority);
    if (evicted >= 0) {
      if (evicted > 0) this.observer.dropped(evicted);
      return undefined;
    }
    return this.refuse(frame, priority, policy);
  }

  /** Resolves once nothing waits in the queue (immediately when nothing does). */
  flushed(): Promise<void> {
    if (this.depth === 0 || this.disposed) return Promise.resolve();
    return new Promise((resolve) => (this.flushWaiters ??= []).push(resolve));
  }

  /** Drops whatever waits (the session is gone) and settles blocked sends as failed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const blocked = this.blocked ?? [];
    this.blocked = undefined;
    const discarded = (this.queueInstance?.clear() ?? 0) + blocked.length;
    if (discarded > 0) this.observer.dropped(discarded);
    for (const b of blocked) {
      clearTimeout(b.timer);
      b.resolve(OUTBOX_ERRORS.closed);
    }
    this.clearStall();
    this.settleFlushWaiters();
  }

  private refuse(frame: Buffer, priority: WsPriority, policy: WsQueuePolicy): WriteResult {
    if (policy === 'drop') {
      this.observer.dropped(1);
      return OUTBOX_ERRORS.dropped;
    }
    if (policy === 'close') {
      this.observer.dropped(1);
      this.observer.slowClosed();
      this.transport.close(SLOW_CLOSE, 'send queue full');
      this.dispose();
      return OUTBOX_ERRORS.slowClosed;
    }
    // block: wait for room, but never hold more blocked sends than the queue itself could hold.
    const blocked = (this.blocked ??= []);
    if (blocked.length >= this.settings.maxMessages) {
      this.observer.dropped(1);
      return OUTBOX_ERRORS.timedOut;
    }
    return new Promise((resolve) => {
      const entry: Blocked = {
        frame,
        priority,
        resolve,
        timer: setTimeout(() => {
          const at = this.blocked?.indexOf(entry) ?? -1;
          if (at >= 0) this.blocked!.splice(at, 1);
          this.observer.dropped(1);
          resolve(OUTBOX_ERRORS.timedOut);
        }, this.settings.writeTimeout),
      };
      blocked.push(entry);
    });
  }

  private send(frame: Buffer, wantsFlushSignal: boolean, binary: boolean, frames?: FrameCache): void {
    if (wantsFlushSignal) {
      this.flushPending = true;
      this.armStall();
      this.transport.send(frame, binary, (this.flushCallback ??= (err?: Error) => this.onFlushed(err)), frames);
    } else {
      this.transport.send(frame, binary, undefined, frames);
    }
    this.observer.sent(frame.length);
  }

  /** The socket flushed the frame we were waiting on: move queued frames out until it is full again. */
  private onFlushed(err?: Error): void {
    this.flushPending = false;
    this.clearStall();
    if (err || this.disposed || !this.transport.isOpen) return;
    // Queued frames leave together: one corked write instead of one syscall each.
    this.transport.cork?.();
    for (;;) {
      this.admitBlocked();
      const frame = this.queue.take();
      if (!frame) break;
      const binary = (frame as MarkedFrame)[kOtherType] ? !this.settings.binary : this.settings.binary;
      if (this.transport.bufferedAmount + frame.length >= this.settings.highWater) {
        this.send(frame, true, binary); // full again: this frame's callback resumes the pump
        break;
      }
      this.send(frame, false, binary);
    }
    this.transport.uncork?.();
    if (this.depth === 0) this.settleFlushWaiters();
  }

  private admitBlocked(): void {
    const blocked = this.blocked;
    if (!blocked) return;
    while (blocked.length > 0 && this.queue.canAccept(blocked[0].frame, blocked[0].priority)) {
      const entry = blocked.shift()!;
      clearTimeout(entry.timer);
      const evicted = this.queue.offer(entry.frame, entry.priority);
      if (evicted > 0) this.observer.dropped(evicted);
      entry.resolve(undefined);
    }
  }

  private armStall(): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.observer.writeTimedOut();
      this.transport.terminate();
    }, this.settings.writeTimeout);
    this.stallTimer.unref?.();
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private settleFlushWaiters(): void {
    const waiters = this.flushWaiters;
    if (!waiters) return;
    this.flushWaiters = undefined;
    for (const resolve of waiters) resolve();
  }
}
