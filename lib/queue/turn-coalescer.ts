/** A socket whose writes can be held for the rest of the turn: it corks on `hold`, uncorks on `endTurn`. */
export interface TurnHeld {
  endTurn(): void;
}

/**
 * Ends, once per turn, the hold of every socket written to in that turn, so several frames to one socket (a burst
 * of broadcasts, a reply plus pushes) leave in one write instead of one syscall each. One shared flush for all
 * sockets, not a timer per socket.
 *
 * When: at the end of the macrotask that wrote, after its microtasks. A microtask schedules a `process.nextTick`,
 * and Node runs ticks scheduled from a microtask only once the microtask queue is empty: every `await` chain that
 * the turn's callback started (a handler's reply after its pushes, the broadcasts after an `await`) has written by
 * then. It is earlier than `setImmediate` (after all of the poll phase's I/O): a reply is not held back behind
 * the other sockets' reads of the same poll, so echo latency does not grow; a burst arrives in one callback anyway.
 */
export class TurnCoalescer {
  private held: TurnHeld[] = [];
  private scheduled = false;

  /** Registers a socket that has just corked; it is uncorked at the end of this turn. */
  add(socket: TurnHeld): void {
    this.held.push(socket);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.scheduleFlush);
  }

  private readonly scheduleFlush = (): void => {
    process.nextTick(this.flush);
  };

  /** Public for the tests and for a shutdown that wants the wire now; sockets already released are skipped by them. */
  readonly flush = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) held[i].endTurn();
  };
}

/** One per process: a turn is the process's, and holding costs nothing between turns, so apps can share it. */
export const turnCoalescer = new TurnCoalescer();
