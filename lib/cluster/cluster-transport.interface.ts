import type { Cluster, Redis } from 'ioredis';

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
  /**
   * A client for plain key commands (SET PX, HSET, SCAN, SMEMBERS, EVAL …) on the same Redis, or Redis Cluster
   * (`redis.cluster`), made on first use and closed with the transport. Same guarantees as a publish: it fails at
   * once while Redis is away (nothing is queued), never re-sends after a reconnect, and rejects a command not
   * answered within `redis.publishTimeout`. On a cluster, keys of one multi-key command or script must share a
   * hash tag (`{…}`), and a command to a master whose connection is not ready yet (just after the cluster
   * connected, or while that master is down) fails at once.
   */
  commands(): Redis | Cluster;
}

export const WS_CLUSTER_TRANSPORT = Symbol('WS_CLUSTER_TRANSPORT');
