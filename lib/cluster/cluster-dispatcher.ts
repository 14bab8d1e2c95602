import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { BurstLogger } from './burst-logger.js';
import { type ClusterTransport, WS_CLUSTER_TRANSPORT } from './cluster-transport.interface.js';
import { DEFAULT_SPACE } from '../ws.constants.js';
import { ANY_SPACE, type BatchedPacket, type DispatchOp, type DispatchPacket, NODE_CHANNEL_OPS, readPackets, ROUTED_OPS } from './dispatch-packet.js';
import { PacketBatcher } from './packet-batcher.js';
import { SEQ_TRACKER_LIMITS, SeqTracker } from './seq-tracker.js';
import { describeError } from '../utils/describe-error.util.js';

/** Where a packet's counts go: a push to any space counts in the default space. */
const countedIn = (space: string) => (space === ANY_SPACE ? DEFAULT_SPACE : space);

/** The target fields of a packet (which ones an op takes is checked on receipt), and whom a send to many skips. */
export type PacketTarget = Pick<DispatchPacket, 'sid' | 'uid' | 'gid' | 'sids' | 'uids' | 'gids' | 'except' | 'raw' | 'to'>;

/**
 * Which other nodes a push_user or groupcast needs to reach (interest routing): their ids, or `undefined` when
 * that is not known for sure, and the packet goes to every node.
 */
export interface PacketRouter {
  route(op: DispatchOp, space: string, target: PacketTarget): readonly string[] | undefined;
}

/**
 * Publishes this node's cross-node sends and receives the others'. Packets this node sent come back on the shared
 * channel and are dropped: the origin delivers locally, without a round trip, and never twice. Between nodes
 * delivery is at most once: a publish that fails is counted, not retried.
 */
@Injectable()
export class ClusterDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClusterDispatcher.name);
  private readonly rejections = new BurstLogger(this.logger);
  /** Failures while delivering a received packet: its data comes from Redis, so they are logged once per burst. */
  private readonly deliveryErrors = new BurstLogger(this.logger);
  private readonly spaces: ReadonlySet<string>;
  private sharedSeq = 0;
  private readonly nodeSeq = new Map<string, number>();
  /** Last sequence number heard per origin and channel, bounded. */
  private readonly seqs = new SeqTracker();
  private receiver: ((packet: DispatchPacket) => unknown) | undefined;
  private router: PacketRouter | undefined;
  private presenceListener: ((packet: DispatchPacket) => void) | undefined;
  /** Made on the first publish: a node without `redis` never has one. */
  private batcher: PacketBatcher | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly metrics: WsMetrics,
    @Optional() @Inject(WS_CLUSTER_TRANSPORT) private readonly transport?: ClusterTransport,
  ) {
    this.spaces = new Set(Object.keys(options.spaces));
  }

  get enabled(): boolean {
    return this.transport !== undefined;
  }

  /** @internal Origins whose sequence numbers this node remembers (bounded). */
  get trackedOrigins(): number {
    return this.seqs.size;
  }

  /** @internal Other nodes this node keeps a push sequence number for (bounded). */
  get trackedTargets(): number {
    return this.nodeSeq.size;
  }

  /**
   * Where received packets go: the broker's local delivery. What it throws or rejects with is logged here, once
   * per burst.
   */
  onReceive(receiver: (packet: DispatchPacket) => unknown): void {
    this.receiver = receiver;
  }

  /** @internal Routes push_user and groupcast to the nodes that hold their target (the presence directory). */
  setRouter(router: PacketRouter): void {
    this.router = router;
  }

  /** @internal Where received presence packets go (they carry no message for the broker). */
  onPresence(listener: (packet: DispatchPacket) => void): void {
    this.presenceListener = listener;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport?.start((packet) => this.receive(packet));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport?.close();
  }

  /**
   * Publishes a packet, to one node's channel (`toNode`) or to every node. Resolves with how many other nodes
   * received it, or with the error when it could not be sent (never rejects).
   */
  async publish(op: DispatchOp, space: string, target: PacketTarget, msg: string | undefined, data: unknown, toNode?: string): Promise<number | Error> {
    if (toNode === undefined && ROUTED_OPS.has(op)) {
      const nodes = this.router?.route(op, space, target);
      if (nodes !== undefined) return this.publishRouted(nodes, op, space, target, msg, data);
    }
    return this.publishOne(op, space, target, msg, data, toNode);
  }

  /**
   * Interest routing: one packet per node that holds the target, on its own channel, and none at all when no
   * other node does. Resolves with how many nodes got it, or with the first error.
   */
  private async publishRouted(nodes: readonly string[], op: DispatchOp, space: string, target: PacketTarget, msg: string | undefined, data: unknown): Promise<number | Error> {
    const results = await Promise.all(nodes.map((node) => this.publishOne(op, space, { ...target, to: node }, msg, data, node)));
    let reached = 0;
    for (const result of results) {
      if (result instanceof Error) return result;
      reached += result;
    }
    return reached;
  }

  private async publishOne(op: DispatchOp, space: string, target: PacketTarget, msg: string | undefined, data: unknown, toNode?: string): Promise<number | Error> {
    const transport = this.transport!;
    const seq = toNode === undefined ? ++this.sharedSeq : this.nextNodeSeq(toNode);
    // A raw packet (`target.raw`) has no message name. The batcher adds the origin and the sequence number.
    const packet: BatchedPacket = { op, space, ...(msg === undefined ? {} : { msg }), ...target };
    if (data !== undefined) packet.data = data;
    try {
      const channel = toNode === undefined ? transport.sharedChannel : transport.nodeChannel(toNode);
      // The turn's packets for this channel go in one message; nothing waits on Redis longer than its timeout: a
      // stalled Redis fails the publish (each packet in it counts one failure), it does not hold the send.
      this.batcher ??= new PacketBatcher(transport, { node: this.options.nodeId, publishTimeout: this.options.redis?.publishTimeout ?? 1000 });
      const receivers = await this.batcher.add(channel, seq, packet);
      this.metrics.count(countedIn(space), 'clusterPublished');
      // This node listens on the shared channel too.
      return toNode === undefined ? Math.max(0, receivers - 1) : receivers;
    } catch (err) {
      this.metrics.count(countedIn(space), 'clusterFailures');
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** A message from Redis: one packet or a batch, decoded once, checked whole, then delivered packet by packet in order. */
  private receive(value: unknown): void {
    const packets = readPackets(value, this.spaces);
    if (typeof packets === 'string') {
      this.metrics.countTotal('clusterRejected');
      this.rejections.warn(`refused a dispatch packet from Redis: ${packets}`);
      return;
    }
    for (const packet of packets) this.deliver(packet);
  }

  private deliver(packet: DispatchPacket): void {
    if (packet.node === this.options.nodeId) return;
    // A routed packet names the one node it was published to: any other that hears it (a forger) ignores it.
    if (packet.to !== undefined && packet.to !== this.options.nodeId) return;
    this.countGaps(packet);
    if (packet.op === 'presence') {
      this.presenceListener?.(packet);
      return;
    }
    this.metrics.count(countedIn(packet.space), 'clusterReceived');
    const failed = (err: unknown) => {
      this.metrics.count(countedIn(packet.space), 'handlerErrors');
      this.deliveryErrors.error(`cluster delivery of "${packet.msg ?? '(raw frame)'}" failed: ${describeError(err)}`);
    };
    try {
      const result = this.receiver?.(packet);
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private countGaps(packet: DispatchPacket): void {
    const onNodeChannel = NODE_CHANNEL_OPS.has(packet.op) || packet.to !== undefined;
    const missing = this.seqs.observe(`${packet.node}\0${onNodeChannel ? 'node' : 'shared'}`, packet.seq);
    if (missing > 0) this.metrics.count(countedIn(packet.space), 'seqGaps', missing);
  }

  private nextNodeSeq(node: string): number {
    const seq = (this.nodeSeq.get(node) ?? 0) + 1;
    // The node comes from a session id the app was handed, so the map is bounded too: kept in order of last use,
    // the least recently used target is forgotten past the cap (its receiver then counts one reset).
    this.nodeSeq.delete(node);
    this.nodeSeq.set(node, seq);
    if (this.nodeSeq.size > SEQ_TRACKER_LIMITS.maxOrigins) this.nodeSeq.delete(this.nodeSeq.keys().next().value!);
    return seq;
  }
}
