/**
 * A FIFO of frames with a head index instead of `Array#shift()` (which is O(n)); the array is compacted once
 * the consumed prefix outweighs what is left, so a long-lived lane does not keep its history alive.
 */
export class Lane {
  private items: Buffer[] = [];
  private head = 0;
  /** Bytes held by this lane. */
  bytes = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(frame: Buffer): void {
    this.items.push(frame);
    this.bytes += frame.length;
  }

  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined;
    const frame = this.items[this.head];
    this.items[this.head++] = undefined as unknown as Buffer; // let the frame be collected now
    this.bytes -= frame.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  clear(): number {
    const dropped = this.size;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return dropped;
  }
}
