/** One handled message in the trace. @publicApi */
export interface WsTraceEntry {
  /** When handling ended, unix milliseconds. */
  time: number;
  space: string;
  name: string;
  /** The outcome: 0, or the code of the error reply (400, 403, 404, 429, 500, ...). */
  code: number;
  /** From the start of handling (after parsing) to the handler's replies being queued, in microseconds. */
  us: number;
  /** Size of the inbound frame. */
  bytes: number;
}

/** The result of `WsIntrospection.trace()` and `GET <introspection.path>/trace`. @publicApi */
export interface WsTraceReport {
  /** How many entries the buffer keeps. */
  size: number;
  /** Messages recorded since the node started; `total - entries.length` of them have been overwritten. */
  total: number;
  /** Newest first. */
  entries: WsTraceEntry[];
}

/**
 * A ring of the last `size` handled messages. Recording overwrites one slot and allocates one small object: the
 * buffer never grows, whatever the traffic.
 */
export class TraceBuffer {
  private readonly slots: Array<WsTraceEntry | undefined>;
  private next = 0;
  private total = 0;

  constructor(readonly size: number) {
    this.slots = new Array<WsTraceEntry | undefined>(size);
  }

  add(entry: WsTraceEntry): void {
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.size;
    this.total++;
  }

  report(): WsTraceReport {
    const entries: WsTraceEntry[] = [];
    for (let i = 1; i <= this.size; i++) {
      const entry = this.slots[(this.next - i + this.size) % this.size];
      if (!entry) break;
      entries.push({ ...entry });
    }
    return { size: this.size, total: this.total, entries };
  }
}
