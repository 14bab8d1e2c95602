/**
 * What a full offline queue does with one more send:
 * - `'drop-oldest'` (default): the oldest queued send is discarded to make room (its request, if any, rejects
 *   with `WsQueueFullError`): after a long outage the freshest intents go out.
 * - `'drop-newest'`: the new send is discarded (`send()` returns false, `request()` rejects).
 * - `'error'`: as `'drop-newest'`, but `send()` throws the `WsQueueFullError` instead of returning false.
 * @publicApi
 */
export type WsQueuePolicy = 'drop-oldest' | 'drop-newest' | 'error';

/** @publicApi */
export interface WsQueueOptions {
  /** Sends (and requests) kept while disconnected. 0 keeps none. @default 1000 */
  max?: number;
  /** @default 'drop-oldest' */
  policy?: WsQueuePolicy;
}

export interface QueuedSend {
  name: string;
  frame: Record<string, unknown>;
  /** Set for a request: called when the send is discarded. */
  discard?: (error: Error) => void;
  /** Set for a request: called once the frame is written (from then on a drop loses it). */
  onWrite?: () => void;
}

/**
 * The sends made while the connection is down, written in order once it is open again. A ring with a head index:
 * bounded by construction, no `shift()` on the hot path.
 */
export class OfflineQueue {
  private items: Array<QueuedSend | undefined>;
  private head = 0;
  private count = 0;

  constructor(readonly max: number) {
    this.items = new Array(Math.min(max, 64));
  }

  get size(): number {
    return this.count;
  }

  /** Adds `item`; when full, returns the item that did not fit (the oldest, or `item` itself). */
  push(item: QueuedSend, dropOldest: boolean): QueuedSend | undefined {
    if (this.count < this.max) {
      if (this.count === this.items.length) this.grow();
      this.items[(this.head + this.count) % this.items.length] = item;
      this.count++;
      return undefined;
    }
    if (!dropOldest || this.max === 0) return item;
    const evicted = this.shift()!;
    this.push(item, false);
    return evicted;
  }

  shift(): QueuedSend | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** Takes out the first item `match` accepts (a request that timed out while queued). */
  remove(match: (item: QueuedSend) => boolean): boolean {
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.items.length;
      if (!match(this.items[at]!)) continue;
      // Close the gap; the queue is short-lived and this path is rare (a timeout while offline).
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.head + j) % this.items.length] = this.items[(this.head + j + 1) % this.items.length];
      }
      this.items[(this.head + this.count - 1) % this.items.length] = undefined;
      this.count--;
      return true;
    }
    return false;
  }

  /** Grows the ring up to `max`: a client that never goes offline keeps a small one. */
  private grow(): void {
    const size = Math.min(this.max, this.items.length * 2 || 1);
    const next = new Array<QueuedSend | undefined>(size);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
