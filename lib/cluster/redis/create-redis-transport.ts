import { createRequire } from 'node:module';
import { WsConfigError } from '../../errors/ws-config.error.js';
import type { WsResolvedOptions } from '../../interfaces/ws-module-options.interface.js';
import { MISSING_PACKAGE } from '../../ws.messages.js';
import type { ClusterTransport } from '../cluster-transport.interface.js';

/** The Redis transport, after checking its optional peers are installed so a missing one fails the bootstrap. */
export async function createRedisTransport(options: WsResolvedOptions, onRefused: () => void): Promise<ClusterTransport> {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@nestjs/microservices', 'ioredis']) {
    try {
      require.resolve(pkg);
    } catch {
      throw new WsConfigError(MISSING_PACKAGE(pkg, 'by the option "redis"'));
    }
  }
  const { RedisClusterTransport } = await import('./redis-cluster.transport.js');
  // A packet is an envelope's worth of data plus a little framing.
  return new RedisClusterTransport(options.redis!, options.nodeId, options.maxMessageSize + 4096, onRefused);
}
