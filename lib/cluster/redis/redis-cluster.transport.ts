import { Logger } from '@nestjs/common';
import type { Cluster, Redis as IoRedis, RedisOptions } from 'ioredis';
import type { WsResolvedOptions } from '../../interfaces/ws-module-options.interface.js';
import { BurstLogger } from '../burst-logger.js';
import type { ClusterTransport } from '../cluster-transport.interface.js';
import type { RedisCommandSource } from './redis-commands.js';
import { DISPATCH_PATTERN } from '../dispatch-packet.js';
import { RedisDispatchServer } from './redis-dispatch.server.js';

/**
 * Dispatch over Redis pub/sub: one shared channel every node subscribes to (push_user, broadcast, groupcast) and
 * one channel per node (push to a session id, which names its node), all under the key prefix so several apps can
 * share one Redis. On a Redis Cluster (`redis.cluster`) these are sharded channels, each in the slot its name hashes
 * to, so the shared channel and the nodes' channels spread over the masters. The transport itself is `RedisDispatchServer`, a Nest custom transport; this class only names
 * the channels and puts it behind the `ClusterTransport` port.
 */
export class RedisClusterTransport implements ClusterTransport, RedisCommandSource {
  readonly sharedChannel: string;
  private readonly server: RedisDispatchServer;
  private readonly refusals = new BurstLogger(new Logger('WsCluster'));

  constructor(
    redis: Redis,
    private readonly nodeId: string,
    maxPacketBytes: number,
    onRefused: () => void,
  ) {
    this.sharedChannel = `${redis.keyPrefix}:${DISPATCH_PATTERN}`;
    this.server = new RedisDispatchServer({
      connection: connectionOptions(redis),
      cluster: redis.cluster,
      maxPacketBytes,
      publishTimeout: redis.publishTimeout,
      secret: redis.secret,
      onRefused: (why) => {
        onRefused();
        this.refusals.warn(`refused a message from Redis: ${why}`);
      },
    });
  }

  nodeChannel(node: string): string {
    return `${this.sharedChannel}:${node}`;
  }

  start(onPacket: (packet: unknown) => void): Promise<void> {
    const handler = async (data: unknown) => onPacket(data);
    this.server.addHandler(this.sharedChannel, handler, true);
    this.server.addHandler(this.nodeChannel(this.nodeId), handler, true);
    // A Redis that is down at boot is not fatal: the transport keeps retrying, and sends fail (and are counted)
    // until it answers.
    return new Promise((resolve) => this.server.listen(() => resolve()));
  }

  publish(channel: string, json: string): Promise<number> {
    return this.server.publish(channel, json);
  }

  packetRoom(channel: string): number {
    return this.server.dataRoom(channel);
  }

  commands(): IoRedis | Cluster {
    return this.server.commands();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

type Redis = NonNullable<WsResolvedOptions['redis']>;

function connectionOptions(redis: Redis): RedisOptions {
  // A cluster's nodes come from `redis.cluster`; what every connection shares is the password.
  if (redis.cluster) return { password: redis.password };
  if (redis.url) {
    const url = new URL(redis.url);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    };
  }
  return { host: redis.host, port: redis.port, password: redis.password, db: redis.db };
}
