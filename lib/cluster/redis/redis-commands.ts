import type { Cluster, Redis } from 'ioredis';
import type { ClusterTransport } from '../cluster-transport.interface.js';

/** A transport that can lend a client for plain key commands: the Redis one. */
export interface RedisCommandSource {
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

/**
 * The command client of the Redis transport, or `undefined` for a transport without one (none configured, a
 * test double). Kept off `ClusterTransport` itself so that the module's public types never name ioredis, an
 * optional peer; this file imports only its types.
 */
export function redisCommands(transport: ClusterTransport | undefined): Redis | Cluster | undefined {
  const source = transport as Partial<RedisCommandSource> | undefined;
  return typeof source?.commands === 'function' ? source.commands() : undefined;
}
