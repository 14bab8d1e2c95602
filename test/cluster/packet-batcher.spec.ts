import { MAX_BATCH_PACKETS, readPackets } from '../../lib/cluster/dispatch-packet.js';
import { type BatchTransport, PacketBatcher } from '../../lib/cluster/packet-batcher.js';
import { WsPublishTimeoutError } from '../../lib/cluster/publish-timeout.js';

const SHARED = 'p:_ws.dispatch';
const B = `${SHARED}:b`;
const C = `${SHARED}:c`;
const SPACES = new Set(['default']);

/** A transport that records what it is asked to publish and answers as the test says. */
class RecordingTransport implements BatchTransport {
  readonly sharedChannel = SHARED;
  readonly sent: { channel: string; json: string }[] = [];
  answer: () => Promise<number> = () => Promise.resolve(3);
  room = 64 * 1024;

  publish(channel: string, json: string): Promise<number> {
    this.sent.push({ channel, json });
    return this.answer();
  }

  packetRoom(): number {
    return this.room;
  }

  /** Each message as its channel and the packets a receiver reads from it. */
  get messages() {
    return this.sent.map(({ channel, json }) => ({ channel, packets: readPackets(JSON.parse(json), SPACES) }));
  }
}

const note = (n: number) => ({ op: 'broadcast' as const, space: 'default', msg: 'note', data: { n } });

describe('PacketBatcher: one Redis message per channel per turn', () => {
  let transport: RecordingTransport;
  /** The flush the batcher scheduled, run by the test: the end of the turn, on cue. */
  let endTurn: (() => void) | undefined;
  const batcher = (settings: { maxPackets?: number; publishTimeout?: number } = {}) =>
    new PacketBatcher(transport, { node: 'a', publishTimeout: 1000, ...settings, schedule: (flush) => (endTurn = flush) });

  beforeEach(() => {
    transport = new RecordingTransport();
    endTurn = undefined;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('#add', () => {
    it('publishes the packets of a turn on one channel as one batch, in order, with their sequence range', async () => {
      const packets = batcher();
      const outcomes = [1, 2, 3].map((n) => packets.add(SHARED, 10 + n, note(n)));
      expect(transport.sent).toEqual([]);
      endTurn!();
      expect(JSON.parse(transport.sent[0].json)).toEqual({ op: 'batch', node: 'a', seq: 11, packets: [note(1), note(2), note(3)] });
      expect(transport.messages).toEqual([
        { channel: SHARED, packets: [1, 2, 3].map((n) => ({ ...note(n), node: 'a', seq: 10 + n })) },
      ]);
      // Every sender gets the message's receiver count.
      expect(await Promise.all(outcomes)).toEqual([3, 3, 3]);
    });

    it('sends a lone packet as a plain packet, as before batching', async () => {
      const packets = batcher();
      const outcome = packets.add(B, 7, { op: 'push', space: '*', sid: 'b.1', msg: 'hi' });
      endTurn!();
      expect(JSON.parse(transport.sent[0].json)).toEqual({ op: 'push', space: '*', sid: 'b.1', msg: 'hi', node: 'a', seq: 7 });
      expect(await outcome).toBe(3);
    });

    it('fixes what a packet says at the send: the app may change its data afterwards', () => {
      const packets = batcher();
      const data = { n: 1 };
      void packets.add(SHARED, 1, { ...note(0), data });
      data.n = 2;
      void packets.add(SHARED, 2, { ...note(0), data });
      endTurn!();
      expect(JSON.parse(transport.sent[0].json).packets.map((p: { data: unknown }) => p.data)).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('throws what serializing a packet throws, and queues nothing for it', () => {
      const packets = batcher();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(() => packets.add(SHARED, 1, { ...note(0), data: circular })).toThrow(TypeError);
      expect(() => packets.add(SHARED, 1, { ...note(0), data: 1n })).toThrow(TypeError);
      expect(endTurn).toBeUndefined();
    });
  });

  describe('per turn', () => {
    it('gathers the sends of a turn, after its awaits too, and sends a later turn\'s apart', async () => {
      const packets = new PacketBatcher(transport, { node: 'a', publishTimeout: 1000 });
      const first = [packets.add(SHARED, 1, note(1)), packets.add(SHARED, 2, note(2))];
      await Promise.resolve();
      first.push(packets.add(SHARED, 3, note(3)));
      expect(await Promise.all(first)).toEqual([3, 3, 3]);
      // A new turn (a timer): a message of its own.
      await new Promise((resolve) => setImmediate(resolve));
      await packets.add(SHARED, 4, note(4));
      expect(transport.messages.map((m) => (m.packets as { seq: number }[]).map((p) => p.seq))).toEqual([[1, 2, 3], [4]]);
    });
  });

  describe('bounds', () => {
    it('holds at most maxPackets per message, each with its own range', () => {
      const packets = batcher({ maxPackets: 5 });
      for (let n = 1; n <= 12; n++) void packets.add(SHARED, n, note(n));
      endTurn!();
      expect(transport.messages.map((m) => (m.packets as { seq: number }[]).map((p) => p.seq))).toEqual([
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
        [11, 12],
      ]);
    });

    it('defaults to MAX_BATCH_PACKETS, what a receiver accepts', () => {
      const packets = batcher();
      for (let n = 1; n <= MAX_BATCH_PACKETS + 1; n++) void packets.add(SHARED, n, note(n));
      endTurn!();
      expect(transport.messages.map((m) => (m.packets as unknown[]).length)).toEqual([MAX_BATCH_PACKETS, 1]);
    });

    it('keeps each message within the bytes a receiver accepts, and sends a packet too large for any alone', () => {
      transport.room = 400;
      const packets = batcher();
      for (let n = 1; n <= 10; n++) void packets.add(SHARED, n, note(n));
      void packets.add(SHARED, 11, { ...note(11), data: 'x'.repeat(500) });
      void packets.add(SHARED, 12, note(12));
      endTurn!();
      const sizes = transport.sent.map((m) => Buffer.byteLength(m.json));
      expect(sizes.slice(0, -2).every((size) => size <= 400)).toBe(true);
      expect(transport.sent.length).toBeGreaterThan(3);
      // The oversize one goes as itself (its receivers refuse it, as before batching), and the next starts afresh.
      const [big, last] = transport.sent.slice(-2).map((m) => JSON.parse(m.json));
      expect(big).toMatchObject({ op: 'broadcast', seq: 11, node: 'a' });
      expect(last).toMatchObject({ op: 'broadcast', seq: 12, node: 'a' });
      const seqs = transport.messages.flatMap((m) => (m.packets as { seq: number }[]).map((p) => p.seq));
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });

    it('starts a new message when a sequence number does not follow, so a range is never wrong', () => {
      const packets = batcher();
      for (const seq of [1, 2, 4, 5]) void packets.add(SHARED, seq, note(seq));
      endTurn!();
      expect(transport.messages.map((m) => (m.packets as { seq: number }[]).map((p) => p.seq))).toEqual([
        [1, 2],
        [4, 5],
      ]);
    });
  });

  describe('order per receiver', () => {
    it('publishes what waits for the shared channel before a node channel\'s packet, and the other way round', () => {
      const packets = batcher();
      void packets.add(SHARED, 1, note(1));
      void packets.add(SHARED, 2, note(2));
      void packets.add(B, 1, { op: 'push', space: '*', sid: 'b.1', msg: 'm' });
      void packets.add(SHARED, 3, note(3));
      endTurn!();
      expect(transport.sent.map((m) => m.channel)).toEqual([SHARED, B, SHARED]);
    });

    it('lets different nodes\' channels gather side by side: no receiver hears two of them', () => {
      const packets = batcher();
      for (let seq = 1; seq <= 3; seq++) {
        void packets.add(B, seq, { op: 'push', space: '*', sid: 'b.1', msg: 'm' });
        void packets.add(C, seq, { op: 'push', space: '*', sid: 'c.1', msg: 'm' });
      }
      endTurn!();
      expect(transport.messages.map((m) => [m.channel, (m.packets as unknown[]).length])).toEqual([
        [B, 3],
        [C, 3],
      ]);
    });
  });

  describe('failures', () => {
    it('fails every packet of a message Redis refused, with the same error', async () => {
      const refused = new Error('Redis is not connected (reconnecting)');
      transport.answer = () => Promise.reject(refused);
      const packets = batcher();
      const outcomes = [1, 2, 3].map((n) => packets.add(SHARED, n, note(n)));
      endTurn!();
      for (const outcome of outcomes) await expect(outcome).rejects.toBe(refused);
    });

    it('fails them when the transport throws instead of rejecting', async () => {
      transport.publish = () => {
        throw new Error('thrown');
      };
      const packets = batcher();
      const outcomes = [packets.add(SHARED, 1, note(1)), packets.add(SHARED, 2, note(2))];
      endTurn!();
      for (const outcome of outcomes) await expect(outcome).rejects.toThrow('thrown');
    });

    it('fails every packet of a message Redis did not acknowledge within the publish timeout', async () => {
      vi.useFakeTimers();
      transport.answer = () => new Promise<number>(() => undefined);
      const packets = batcher({ publishTimeout: 250 });
      const outcomes = [1, 2, 3].map((n) => packets.add(SHARED, n, note(n)).catch((err: unknown) => err));
      endTurn!();
      vi.advanceTimersByTime(249);
      let settled = false;
      void Promise.race(outcomes).then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      vi.advanceTimersByTime(1);
      for (const err of await Promise.all(outcomes)) expect(err).toBeInstanceOf(WsPublishTimeoutError);
    });
  });
});
