import type { WsPriority } from '../interfaces/ws-module-options.interface.js';
import { Lane } from './lane.js';

export interface SendQueueLimits {
  /** Messages held at most, all lanes together. */
  maxMessages: number;
  /** Bytes held at most, all lanes together. */
  maxBytes: number;
}

/**
 * A session's bounded outbound queue with three lanes. `take()` serves high, then normal, then low. A message that
 * does not fit may evict queued low-priority messages first: low is what is dropped first under pressure.
 */
export class SendQueue {
  private readonly high = new Lane();
  private readonly normal = new Lane();
  private readonly low = new Lane();

  constructor(private readonly limits: SendQueueLimits) {}

  get size(): number {
    return this.high.size + this.normal.size + this.low.size;
  }

  get bytes(): number {
    return this.high.bytes + this.normal.bytes + this.low.bytes;
  }

  /**
   * Queues a frame if it fits, evicting queued low-priority frames to make room for a higher lane.
   * Returns how many low frames were evicted, or -1 when the frame does not fit (nothing changes then).
   */
  offer(frame: Buffer, priority: WsPriority): number {
    if (!this.canAccept(frame, priority)) return -1;
    let evicted = 0;
    while (!this.fits(frame)) {
      this.low.shift();
      evicted++;
    }
    this.lane(priority).push(frame);
    return evicted;
  }

  /** Whether `offer` would accept the frame, counting the low frames a higher lane may evict. */
  canAccept(frame: Buffer, priority: WsPriority): boolean {
    if (this.fits(frame)) return true;
    if (priority === 'low') return false;
    return this.size - this.low.size < this.limits.maxMessages && this.bytes - this.low.bytes + frame.length <= this.limits.maxBytes;
  }

  take(): Buffer | undefined {
    return this.high.shift() ?? this.normal.shift() ?? this.low.shift();
  }

  /** Empties every lane; returns how many frames were discarded. */
  clear(): number {
    return this.high.clear() + this.normal.clear() + this.low.clear();
  }

  private fits(frame: Buffer): boolean {
    return this.size < this.limits.maxMessages && this.bytes + frame.length <= this.limits.maxBytes;
  }

  private lane(priority: WsPriority): Lane {
    return priority === 'high' ? this.high : priority === 'low' ? this.low : this.normal;
  }
}
