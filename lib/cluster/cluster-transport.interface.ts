/**
 * How packets travel between nodes. `publish` resolves with how many subscribers received the packet and rejects
 * when it could not be sent; it never queues while the transport is down.
 */
export interface ClusterTransport {
  /** The channel every node listens on, and the one of a given node. */
  sharedChannel: string;
  nodeChannel(node: string): string;
  /** Starts listening; `onPacket` gets each received packet as decoded, not yet validated. */
  start(onPacket: (packet: unknown) => void): Promise<void>;
  /**
   * Publishes one message holding a packet (or a batch) already serialized as JSON: the sender serializes at the
   * send, so what travels is what the data was then, and the batcher can count bytes without serializing twice.
   */
  publish(channel: string, json: string): Promise<number>;
  /** Most bytes of serialized packet one message on `channel` may carry: what every node accepts, less the framing. */
  packetRoom(channel: string): number;
  close(): Promise<void>;
}

export const WS_CLUSTER_TRANSPORT = Symbol('WS_CLUSTER_TRANSPORT');
