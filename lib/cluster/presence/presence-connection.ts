import type { RedisOptions } from 'ioredis';
import type { WsResolvedOptions } from '../../interfaces/ws-module-options.interface.js';
import { reconnectDelay } from '../redis/reconnect-delay.js';

/**
 * The directory's own command connection, on the dispatch transport's terms: reconnect forever with backoff, no
 * offline queue, no command waits past `publishTimeout`, nothing re-sent after a reconnect.
 */
export function presenceConnection(redis: NonNullable<WsResolvedOptions['redis']>, closed: () => boolean): RedisOptions {
  let where: RedisOptions = { host: redis.host, port: redis.port, password: redis.password, db: redis.db };
  if (redis.url) {
    const url = new URL(redis.url);
    where = {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    };
  }
  return {
    ...where,
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: redis.publishTimeout,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => (closed() ? null : reconnectDelay(times)),
  };
}
