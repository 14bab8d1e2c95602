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
  publish(channel: string, packet: object): Promise<number>;
  close(): Promise<void>;
}

export const WS_CLUSTER_TRANSPORT = Symbol('WS_CLUSTER_TRANSPORT');
