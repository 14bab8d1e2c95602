import type { ClusterTransport } from './cluster-transport.interface.js';
import { BATCH_OP, type BatchedPacket, MAX_BATCH_PACKETS } from './dispatch-packet.js';
import { withPublishTimeout } from './publish-timeout.js';

/** What the batcher needs of the transport. */
export type BatchTransport = Pick<ClusterTransport, 'sharedChannel' | 'publish' | 'packetRoom'>;

export interface PacketBatcherSettings {
  /** The origin node, written once per message. */
  node: string;
  /** A message Redis has not acknowledged after this long fails every packet in it (`WsPublishTimeoutError`). */
  publishTimeout: number;
  /** Most packets in one message. @default MAX_BATCH_PACKETS */
  maxPackets?: number;
  /** Calls `flush` once the sends of this turn are in. @default endOfTurn */
  schedule?: (flush: () => void) => void;
}

/**
 * Calls `flush` at the end of the macrotask that called it, after its microtasks (the same moment `TurnCoalescer`
 * uncorks sockets): a microtask schedules a `process.nextTick`, which Node runs only once the microtask queue is
 * empty, so every `await` chain the turn started (a handler's sends after an `await`, a loop of sends) has sent by
 * then. A bare microtask would flush before those, in several messages; `setImmediate` would hold the packets
 * behind every other socket the poll phase reads, which costs the first packet's latency and wins little.
 */
export function endOfTurn(flush: () => void): void {
  queueMicrotask(() => process.nextTick(flush));
}

/** The packets of one channel waiting for the end of the turn, and the one outcome they will share. */
class Batch {
  readonly packets: string[] = [];
  /** Bytes of the packets' JSON and the commas between them. */
  bytes = 0;
  readonly outcome: Promise<number>;
  settle!: { resolve: (receivers: number) => void; reject: (err: unknown) => void };

  constructor(
    readonly channel: string,
    /** The first packet's sequence number; the others follow it without a gap. */
    readonly seq: number,
    /** Bytes of packet JSON this message may carry. */
    readonly room: number,
  ) {
    this.outcome = new Promise<number>((resolve, reject) => (this.settle = { resolve, reject }));
  }

  /** Whether the packet may join: not full, the next sequence number, and the message still under the cap. */
  takes(seq: number, bytes: number, maxPackets: number): boolean {
    return this.packets.length < maxPackets && seq === this.seq + this.packets.length && this.bytes + 1 + bytes <= this.room;
  }

  add(json: string, bytes: number): void {
    this.bytes += this.packets.length === 0 ? bytes : bytes + 1;
    this.packets.push(json);
  }
}

/**
 * Packets published in one event-loop turn to one channel go to Redis as one message, a `DispatchBatch`: one
 * PUBLISH, one signature, one parse and one callback on each receiver instead of one per packet. A turn's lone
 * packet goes as it always did (a plain `DispatchPacket`), so one-off sends look the same on the wire.
 *
 * - Each packet is serialized when it is added: what travels is what its data was at the send, as for the local
 *   delivery, even if the app changes the object before the turn ends.
 * - Every sender of a message gets that message's outcome: the receiver count, or the error (a refusal, or the
 *   publish timeout, one timer per message).
 * - A message holds at most `maxPackets` packets and stays under `packetRoom` (what every node accepts); a packet
 *   that does not fit closes the batch and opens the next. A packet too large on its own goes alone, as before,
 *   and the receivers refuse it. A sequence number that does not follow the batch's (a failed serialization used
 *   one) starts a new batch too, so a batch's range is always exact.
 * - Order per receiver is that of the sends. Each node hears the shared channel and its own, so a packet for one
 *   of them first publishes what is waiting for the other (a packet for the shared channel, every node's
 *   channel's batch; for a node's channel, the shared one's). Batches of different nodes' channels wait side by
 *   side: no receiver hears two of them.
 */
export class PacketBatcher {
  /** Open batches, by channel, in the order they were opened. */
  private readonly open = new Map<string, Batch>();
  private scheduled = false;
  private readonly nodeJson: string;
  private readonly maxPackets: number;
  private readonly schedule: (flush: () => void) => void;

  constructor(
    private readonly transport: BatchTransport,
    private readonly settings: PacketBatcherSettings,
  ) {
    this.nodeJson = JSON.stringify(settings.node);
    this.maxPackets = settings.maxPackets ?? MAX_BATCH_PACKETS;
    this.schedule = settings.schedule ?? endOfTurn;
  }

  /**
   * Adds a packet (without `node` and `seq`: they are the message's) with its sequence number on `channel`.
   * Resolves with how many subscribers received its message, rejects with why it was not sent. Throws what
   * serializing it throws (a circular or BigInt payload), before anything is queued.
   */
  add(channel: string, seq: number, packet: BatchedPacket): Promise<number> {
    const json = JSON.stringify(packet);
    const bytes = Buffer.byteLength(json);
    this.publishCrossing(channel);
    let batch = this.open.get(channel);
    if (batch !== undefined && !batch.takes(seq, bytes, this.maxPackets)) {
      this.publish(batch);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = new Batch(channel, seq, this.transport.packetRoom(channel) - this.headerBytes(seq));
      this.open.set(channel, batch);
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(this.flush);
      }
    }
    batch.add(json, bytes);
    return batch.outcome;
  }

  /** Publishes every open batch now, in the order they were opened. Public for the tests and for a shutdown. */
  readonly flush = (): void => {
    this.scheduled = false;
    for (const batch of this.open.values()) this.publish(batch);
  };

  /** Publishes the open batches a receiver of `channel` also hears, so that it gets them first. */
  private publishCrossing(channel: string): void {
    if (this.open.size === 0 || (this.open.size === 1 && this.open.has(channel))) return;
    const shared = this.transport.sharedChannel;
    for (const batch of this.open.values()) {
      if (batch.channel !== channel && (channel === shared || batch.channel === shared)) this.publish(batch);
    }
  }

  private publish(batch: Batch): void {
    this.open.delete(batch.channel);
    let sent: Promise<number>;
    try {
      sent = this.transport.publish(batch.channel, this.message(batch));
    } catch (err) {
      sent = Promise.reject(err);
    }
    withPublishTimeout(sent, this.settings.publishTimeout).then(batch.settle.resolve, batch.settle.reject);
  }

  /** The JSON of the message: a lone packet as itself, several as a batch. */
  private message(batch: Batch): string {
    const { packets, seq } = batch;
    // A packet's JSON is an object with at least `op`: it ends with its closing brace.
    if (packets.length === 1) return `${packets[0].slice(0, -1)},"node":${this.nodeJson},"seq":${seq}}`;
    return `{"op":"${BATCH_OP}","node":${this.nodeJson},"seq":${seq},"packets":[${packets.join(',')}]}`;
  }

  /** What a batch message adds around its packets (more than a lone packet's `node` and `seq`). */
  private headerBytes(seq: number): number {
    return Buffer.byteLength(`{"op":"${BATCH_OP}","node":${this.nodeJson},"seq":${seq},"packets":[]}`);
  }
}
