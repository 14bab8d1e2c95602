import { OUTBOX_ERRORS, type OutboxObserver, type OutboxSettings, SessionOutbox } from '../../lib/queue/session-outbox.js';
import type { SessionTransport } from '../../lib/session/session-transport.interface.js';

/**
 * A socket under the test's control: it holds what it is given until `flush()`, which empties it and fires the
 * write callbacks, as `ws` does once a frame is on the wire.
 */
class FakeTransport implements SessionTransport {
  isOpen = true;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  readonly events: string[] = [];
  closedWith: { code: number; reason?: string } | undefined;
  terminated = false;
  private callbacks: Array<(err?: Error) => void> = [];

  send(bytes: Buffer, _binary: boolean, done?: (err?: Error) => void): void {
    this.sent.push(bytes.toString().replace(/\.+$/, ''));
    this.events.push('send');
    this.bufferedAmount += bytes.length;
    if (done) this.callbacks.push(done);
  }
  /** The peer read everything: the socket is empty and the frames waiting for a signal get it. */
  flush(err?: Error): void {
    this.bufferedAmount = 0;
    for (const done of this.callbacks.splice(0)) done(err);
  }
  get awaitingFlush(): number {
    return this.callbacks.length;
  }
  cork(): void {
    this.events.push('cork');
  }
  uncork(): void {
    this.events.push('uncork');
  }
  ping(): void {}
  close(code: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.isOpen = false;
  }
  terminate(): void {
    this.terminated = true;
    this.isOpen = false;
  }
}

class Recorder implements OutboxObserver {
  sentBytes = 0;
  droppedCount = 0;
  slowCloses = 0;
  writeTimeouts = 0;
  sent(bytes: number) {
    this.sentBytes += bytes;
  }
  dropped(count: number) {
    this.droppedCount += count;
  }
  slowClosed() {
    this.slowCloses++;
  }
  writeTimedOut() {
    this.writeTimeouts++;
  }
}

/** Frames of 10 bytes: the second one fills the socket (highWater 20); the queue holds 3 frames or 100 bytes. */
const SETTINGS: OutboxSettings = { maxMessages: 3, maxBytes: 100, highWater: 20, writeTimeout: 1000, binary: false };
const frame = (label: string, size = 10) => Buffer.from(label.padEnd(size, '.'));

function setup(settings: Partial<OutboxSettings> = {}) {
  const transport = new FakeTransport();
  const observer = new Recorder();
  const outbox = new SessionOutbox(transport, { ...SETTINGS, ...settings }, observer);
  return { transport, observer, outbox };
}

/** An outbox whose socket is full: the next writes queue. `s1`, `s2` went out; `s2` waits for the flush signal. */
function fullSocket(settings: Partial<OutboxSettings> = {}) {
  const parts = setup(settings);
  expect(parts.outbox.write(frame('s1'), 'normal', 'drop')).toBeUndefined();
  expect(parts.outbox.write(frame('s2'), 'normal', 'drop')).toBeUndefined();
  expect(parts.transport.awaitingFlush).toBe(1);
  return parts;
}

/** Lets the callbacks of promises settled so far run (microtasks only: no timer is involved). */
async function ticks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('SessionOutbox', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('while the socket keeps up', () => {
    it('writes straight to the socket, asks for no flush signal, and queues nothing', async () => {
      const { transport, observer, outbox } = setup();
      expect(outbox.write(frame('a'), 'low', 'drop')).toBeUndefined();
      expect(transport.sent).toEqual(['a']);
      expect(transport.awaitingFlush).toBe(0);
      expect(outbox.depth).toBe(0);
      expect(observer.sentBytes).toBe(10);
      await expect(outbox.flushed()).resolves.toBeUndefined();
    });

    it('asks for a flush signal with the frame that fills the socket, then queues', () => {
      const { transport, outbox } = fullSocket();
      expect(outbox.write(frame('q'), 'normal', 'drop')).toBeUndefined();
      expect(transport.sent).toEqual(['s1', 's2']);
      expect(outbox.depth).toBe(1);
      expect(outbox.queuedBytes).toBe(10);
    });

    it('refuses every write once the transport is closed', () => {
      const { transport, outbox } = setup();
      transport.isOpen = false;
      expect(outbox.write(frame('a'), 'high', 'block')).toBe(OUTBOX_ERRORS.closed);
      expect(transport.sent).toEqual([]);
    });
  });

  describe('lanes', () => {
    it('pumps queued frames high, then normal, then low, in one corked write, until the socket is full again', () => {
      const { transport, outbox } = fullSocket({ maxMessages: 10 });
      outbox.write(frame('l1'), 'low', 'drop');
      outbox.write(frame('n1'), 'normal', 'drop');
      outbox.write(frame('h1'), 'high', 'drop');
      outbox.write(frame('n2'), 'normal', 'drop');
      outbox.write(frame('h2'), 'high', 'drop');
      transport.events.length = 0;
      transport.flush();
      // h1 fits; h2 fills the socket again and carries the next flush signal.
      expect(transport.sent).toEqual(['s1', 's2', 'h1', 'h2']);
      expect(transport.events).toEqual(['cork', 'send', 'send', 'uncork']);
      expect(transport.awaitingFlush).toBe(1);
      transport.flush();
      expect(transport.sent.slice(4)).toEqual(['n1', 'n2']);
      transport.flush();
      expect(transport.sent.slice(6)).toEqual(['l1']);
      expect(transport.awaitingFlush).toBe(0);
      expect(outbox.depth).toBe(0);
    });

    it('sends straight again once the queue emptied and the last signal came', () => {
      const { transport, outbox } = fullSocket();
      outbox.write(frame('q'), 'normal', 'drop');
      transport.flush();
      expect(transport.awaitingFlush).toBe(0); // q fit: no signal needed
      outbox.write(frame('d'), 'normal', 'drop');
      expect(transport.sent).toEqual(['s1', 's2', 'q', 'd']);
      expect(outbox.depth).toBe(0);
    });

    it('stops pumping when the flush reports an error', () => {
      const { transport, outbox } = fullSocket();
      outbox.write(frame('q'), 'normal', 'drop');
      transport.flush(new Error('EPIPE'));
      expect(transport.sent).toEqual(['s1', 's2']);
      expect(outbox.depth).toBe(1);
    });
  });

  describe('a full queue', () => {
    it('drop: refuses the frame, counts it, and changes nothing queued', () => {
      const { transport, observer, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) expect(outbox.write(frame(label), 'normal', 'drop')).toBeUndefined();
      expect(outbox.write(frame('x'), 'normal', 'drop')).toBe(OUTBOX_ERRORS.dropped);
      expect(observer.droppedCount).toBe(1);
      expect(outbox.depth).toBe(3);
      transport.flush();
      transport.flush();
      expect(transport.sent).toEqual(['s1', 's2', 'a', 'b', 'c']);
    });

    it('evicts the oldest low frames for a higher lane, and counts them as dropped', () => {
      const { transport, observer, outbox } = fullSocket();
      outbox.write(frame('l1'), 'low', 'drop');
      outbox.write(frame('l2'), 'low', 'drop');
      outbox.write(frame('n1'), 'normal', 'drop');
      expect(outbox.write(frame('h1'), 'high', 'drop')).toBeUndefined();
      expect(observer.droppedCount).toBe(1);
      transport.flush();
      transport.flush();
      expect(transport.sent.slice(2)).toEqual(['h1', 'n1', 'l2']);
    });

    it('never evicts for a low frame: low is refused', () => {
      const { observer, outbox } = fullSocket();
      for (const label of ['l1', 'l2', 'l3']) outbox.write(frame(label), 'low', 'drop');
      expect(outbox.write(frame('l4'), 'low', 'drop')).toBe(OUTBOX_ERRORS.dropped);
      expect(observer.droppedCount).toBe(1);
      expect(outbox.depth).toBe(3);
    });

    it('is full by bytes as well as by count', () => {
      const { outbox } = fullSocket({ maxMessages: 10, maxBytes: 25 });
      expect(outbox.write(frame('a'), 'normal', 'drop')).toBeUndefined();
      expect(outbox.write(frame('b'), 'normal', 'drop')).toBeUndefined();
      expect(outbox.write(frame('c'), 'normal', 'drop')).toBe(OUTBOX_ERRORS.dropped);
      expect(outbox.queuedBytes).toBe(20);
    });

    it('close: closes the session with 1013, discards the queue (counted), and refuses what follows', () => {
      const { transport, observer, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      expect(outbox.write(frame('x'), 'normal', 'close')).toBe(OUTBOX_ERRORS.slowClosed);
      expect(transport.closedWith).toEqual({ code: 1013, reason: 'send queue full' });
      expect(observer.slowCloses).toBe(1);
      expect(observer.droppedCount).toBe(1 + 3); // the overflowing frame, then the discarded queue
      expect(outbox.depth).toBe(0);
      expect(outbox.write(frame('y'), 'high', 'drop')).toBe(OUTBOX_ERRORS.closed);
      transport.isOpen = true; // even a transport that still says open: the outbox is done
      expect(outbox.write(frame('z'), 'high', 'drop')).toBe(OUTBOX_ERRORS.closed);
    });
  });

  describe('block', () => {
    it('holds the sender until the pump makes room, then queues its frame in order', async () => {
      const { transport, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      const result = outbox.write(frame('w'), 'normal', 'block');
      expect(result).toBeInstanceOf(Promise);
      let settled: unknown = 'pending';
      void (result as Promise<Error | undefined>).then((r) => (settled = r));
      await ticks();
      expect(settled).toBe('pending');
      expect(outbox.depth).toBe(4); // queued plus blocked
      transport.flush();
      await ticks();
      expect(settled).toBeUndefined();
      transport.flush();
      transport.flush();
      expect(transport.sent.slice(2)).toEqual(['a', 'b', 'c', 'w']);
    });

    it('gives up after writeTimeout: resolves as timed out and counts a drop', async () => {
      const { observer, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      const result = outbox.write(frame('w'), 'normal', 'block') as Promise<Error | undefined>;
      vi.advanceTimersByTime(999);
      expect(outbox.depth).toBe(4);
      vi.advanceTimersByTime(1);
      await expect(result).resolves.toBe(OUTBOX_ERRORS.timedOut);
      expect(observer.droppedCount).toBe(1);
      expect(outbox.depth).toBe(3);
    });

    it('holds at most maxMessages blocked sends; one more is refused at once', () => {
      const { observer, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      for (const label of ['w1', 'w2', 'w3']) expect(outbox.write(frame(label), 'normal', 'block')).toBeInstanceOf(Promise);
      expect(outbox.write(frame('w4'), 'normal', 'block')).toBe(OUTBOX_ERRORS.timedOut);
      expect(observer.droppedCount).toBe(1);
      expect(outbox.depth).toBe(6);
    });

    it('settles blocked sends as closed when the session goes, counting what was discarded', async () => {
      const { observer, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      const blocked = [outbox.write(frame('w1'), 'normal', 'block'), outbox.write(frame('w2'), 'high', 'block')];
      outbox.dispose();
      expect(await Promise.all(blocked)).toEqual([OUTBOX_ERRORS.closed, OUTBOX_ERRORS.closed]);
      expect(observer.droppedCount).toBe(3 + 2);
      expect(outbox.depth).toBe(0);
      outbox.dispose(); // twice: nothing more is counted
      expect(observer.droppedCount).toBe(5);
      vi.advanceTimersByTime(10_000); // their timers are gone: nothing is counted late
      expect(observer.droppedCount).toBe(5);
    });
  });

  describe('a stalled socket', () => {
    it('is terminated when the frame that filled it is not flushed within writeTimeout, and counted', () => {
      const { transport, observer } = fullSocket();
      vi.advanceTimersByTime(999);
      expect(transport.terminated).toBe(false);
      vi.advanceTimersByTime(1);
      expect(transport.terminated).toBe(true);
      expect(observer.writeTimeouts).toBe(1);
    });

    it('is given writeTimeout again for each flush signal it waits on', () => {
      const { transport, observer, outbox } = fullSocket();
      outbox.write(frame('a'), 'normal', 'drop');
      outbox.write(frame('b'), 'normal', 'drop');
      outbox.write(frame('c'), 'normal', 'drop');
      vi.advanceTimersByTime(900);
      transport.flush(); // a goes out; b fills the socket and arms the timer afresh
      vi.advanceTimersByTime(900);
      expect(transport.terminated).toBe(false);
      vi.advanceTimersByTime(100);
      expect(transport.terminated).toBe(true);
      expect(observer.writeTimeouts).toBe(1);
    });

    it('is not cut once the session is disposed', () => {
      const { transport, observer, outbox } = fullSocket();
      outbox.dispose();
      vi.advanceTimersByTime(10_000);
      expect(transport.terminated).toBe(false);
      expect(observer.writeTimeouts).toBe(0);
    });
  });

  describe('flushed()', () => {
    it('resolves once the queue and the blocked sends are all out', async () => {
      const { transport, outbox } = fullSocket();
      for (const label of ['a', 'b', 'c']) outbox.write(frame(label), 'normal', 'drop');
      void outbox.write(frame('w'), 'normal', 'block');
      let done = false;
      void outbox.flushed().then(() => (done = true));
      transport.flush(); // a out, w admitted into the queue, b fills the socket
      await ticks();
      expect(done).toBe(false);
      transport.flush(); // c and w out
      await ticks();
      expect(outbox.depth).toBe(0);
      expect(done).toBe(true);
    });

    it('resolves when the session is disposed with frames still waiting', async () => {
      const { outbox } = fullSocket();
      outbox.write(frame('a'), 'normal', 'drop');
      const flushed = outbox.flushed();
      outbox.dispose();
      await expect(flushed).resolves.toBeUndefined();
      await expect(outbox.flushed()).resolves.toBeUndefined();
    });
  });
});
