import type { FrameCache, SessionTransport } from './session-transport.interface.js';

/**
 * A transport that stands in front of another one (`target`, which may change over the session's life) and
 * passes on whatever it does not change itself: subclasses override only the members they add behaviour to.
 */
export abstract class DelegatingTransport implements SessionTransport {
  protected abstract get target(): SessionTransport;

  get isOpen(): boolean {
    return this.target.isOpen;
  }

  get bufferedAmount(): number {
    return this.target.bufferedAmount;
  }

  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void {
    this.target.send(bytes, binary, done, frames);
  }

  cork(): void {
    this.target.cork?.();
  }

  uncork(): void {
    this.target.uncork?.();
  }

  ping(): void {
    this.target.ping();
  }

  close(code: number, reason?: string): void {
    this.target.close(code, reason);
  }

  terminate(): void {
    this.target.terminate();
  }
}
