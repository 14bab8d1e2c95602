import { DelegatingTransport } from './delegating.transport.js';
import type { FrameCache, SessionTransport } from './session-transport.interface.js';

interface HeldFrame {
  bytes: Buffer;
  binary: boolean;
  done: ((err?: Error) => void) | undefined;
}

/**
 * A transport that holds every frame until the welcome is written, so the welcome is the first frame a client
 * gets even when an open hook, or a broadcast that reaches the session while its open hooks run, sends earlier.
 * Held bytes count in `bufferedAmount`, so the session's outbox queues (and bounds) what comes after a large
 * held burst, exactly as behind a slow socket.
 */
export class WelcomeFirstTransport extends DelegatingTransport {
  private held: HeldFrame[] | undefined = [];
  private heldBytes = 0;

  constructor(private readonly inner: SessionTransport) {
    super();
  }

  protected get target(): SessionTransport {
    return this.inner;
  }

  override get bufferedAmount(): number {
    return this.inner.bufferedAmount + this.heldBytes;
  }

  override send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void {
    if (this.held) {
      this.held.push({ bytes, binary, done });
      this.heldBytes += bytes.length;
      return;
    }
    this.inner.send(bytes, binary, done, frames);
  }

  /**
   * Lets frames through: first whatever `first` sends (the welcome), then the held frames in their order. Should
   * the outbox have queued the welcome behind a held burst over its high-water mark, it follows that burst.
   */
  release(first: () => void): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    try {
      first();
    } finally {
      this.heldBytes = 0;
      for (const frame of held) this.inner.send(frame.bytes, frame.binary, frame.done);
    }
  }
}
