import { DelegatingTransport } from '../delegating.transport.js';
import type { FrameCache, SessionTransport } from '../session-transport.interface.js';
import { WelcomeFirstTransport } from '../welcome-first.transport.js';
import { ParkedTransport } from './parked.transport.js';

/**
 * The transport of a session that may be resumed (option `resume`). The session, its outbox and the heartbeat
 * hold this one object for the session's whole life; what it writes to changes underneath: the socket (behind the
 * welcome-first holding), then, once the socket dropped, a bounded buffer (`park`), then the new socket the client
 * came back on (`resume`), whose holding lets the welcome through first, then the kept frames, then live ones.
 */
export class ResumableTransport extends DelegatingTransport {
  private current: SessionTransport;
  /** The server closed the session itself (`close(sid)`, a slow or flooding session): it is never parked. */
  closedByServer = false;
  /**
   * Flush callbacks the dropped socket failed while it was still current: the outbox waits on one of them to move
   * its queue on. Called without an error once the session is parked (the queue then drains into the buffer).
   */
  private orphans: Array<(err?: Error) => void> = [];

  constructor(socket: SessionTransport) {
    super();
    this.current = new WelcomeFirstTransport(socket);
  }

  protected get target(): SessionTransport {
    return this.current;
  }

  get parked(): boolean {
    return this.current instanceof ParkedTransport;
  }

  override send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void {
    const target = this.current;
    if (!done || target instanceof ParkedTransport) return target.send(bytes, binary, done, frames);
    target.send(bytes, binary, (err) => {
      if (!err || target !== this.current) return done(); // the socket was replaced: the pump goes on into what replaced it
      this.orphans.push(done);
    }, frames);
  }

  /** Lets the welcome through first (see `WelcomeFirstTransport`), ahead of what waits behind it. */
  release(first: () => void): void {
    if (this.current instanceof WelcomeFirstTransport) this.current.release(first);
    else first();
  }

  /** From now on frames are kept, up to `max`; `onEnd` once they no longer are (overflow, or closed meanwhile). */
  park(max: number, onEnd: () => void): void {
    this.current = new ParkedTransport(max, onEnd);
    for (const done of this.orphans.splice(0)) done();
  }

  /**
   * Writes to the client's new socket: the kept frames wait in its holding, behind the welcome the caller releases
   * next. False when the buffer had overflowed (nothing to resume).
   */
  resume(socket: SessionTransport): boolean {
    const parked = this.current;
    if (!(parked instanceof ParkedTransport) || !parked.isOpen) return false;
    const holding = new WelcomeFirstTransport(socket);
    for (const frame of parked.take()) holding.send(frame.bytes, frame.binary);
    this.current = holding;
    this.closedByServer = false;
    return true;
  }

  override close(code: number, reason?: string): void {
    this.closedByServer = true;
    this.current.close(code, reason);
  }

  /** The session ended for good (its outbox is disposed): callbacks still held fail. */
  end(): void {
    for (const done of this.orphans.splice(0)) done(ENDED);
  }
}

const ENDED = new Error('session closed');
