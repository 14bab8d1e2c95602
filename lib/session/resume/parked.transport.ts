import type { SessionTransport } from '../session-transport.interface.js';

/** A frame kept for a parked session: its bytes and its frame type, replayed as they were sent. */
export interface ParkedFrame {
  bytes: Buffer;
  binary: boolean;
}

/**
 * Where a session's frames go while it is parked (option `resume`): kept in order, up to `max`. One frame more
 * and the buffer overflows: it keeps nothing, refuses every later frame (`isOpen` false, so sends fail as to a
 * closed session) and calls `onEnd`, since a replay with a hole in it would not be the session's stream. Closing
 * it (`close(sid)` on a parked session) ends it the same way.
 */
export class ParkedTransport implements SessionTransport {
  private frames: ParkedFrame[] | undefined = [];

  constructor(
    private readonly max: number,
    private readonly onEnd: () => void,
  ) {}

  get isOpen(): boolean {
    return this.frames !== undefined;
  }

  /** Nothing waits for a socket: frames are kept at once. */
  get bufferedAmount(): number {
    return 0;
  }

  get size(): number {
    return this.frames?.length ?? 0;
  }

  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void): void {
    const frames = this.frames;
    if (frames && frames.length < this.max) frames.push({ bytes, binary });
    else if (frames) this.stop();
    // The outbox waits on this callback to move its queue on; kept frames count as written. Never re-entrant.
    if (done) queueMicrotask(() => done(frames ? undefined : OVERFLOWED));
  }

  /** The kept frames, in order; the buffer is spent. */
  take(): ParkedFrame[] {
    const frames = this.frames ?? [];
    this.frames = undefined;
    return frames;
  }

  ping(): void {}

  close(): void {
    this.stop();
  }

  terminate(): void {
    this.stop();
  }

  private stop(): void {
    if (!this.frames) return;
    this.frames = undefined;
    this.onEnd();
  }
}

const OVERFLOWED = new Error('resume buffer full: session not kept');
