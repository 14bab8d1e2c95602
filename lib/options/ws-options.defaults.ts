/**
 * Every option's default, in one place. Durations are strings here so the README and the code say the same thing.
 * Defaults computed from other options (a burst from its rate, `format` from `codec`) are functions below.
 */
export const WS_OPTION_DEFAULTS = {
  path: '/ws',
  keepHeaders: ['user-agent', 'origin', 'x-forwarded-for', 'x-real-ip'],
  pingInterval: '30s',
  readTimeout: '75s',
  writeTimeout: '10s',
  maxMessageSize: 4 * 1024 * 1024,
  queueSize: 128,
  queuePolicy: 'close',
  queueBytes: 8 * 1024 * 1024,
  maxGroups: 1000,
  shutdownGrace: '5s',
  handshakeTimeout: '10s',
  compressThreshold: 1024,
  compression: false,
  compressLevel: 1,
  observeInterval: 0,
  observeLog: false,
  observeTrace: false,
  traceSize: 100,
  welcomeName: 'ws.welcome',
  resumeWindow: '30s',
  resumeBuffer: 1000,
  codec: 'json',
  introspectionPath: '/ws',
  prometheusPrefix: 'ws_',
  redisPublishTimeout: '1s',
  redisLeaseTtl: '15s',
  redisRouting: 'interest',
  redisKeyPrefix: 'ws',
  redisHost: '127.0.0.1',
  redisPort: 6379,
  /** No limit: `maxConnections` and a space's own. */
  maxConnections: Infinity,
  /** A space handles the default space's messages it does not declare itself. */
  inherit: true,
  maxDepth: 64,
  validationWhitelist: true,
  validationForbidNonWhitelisted: false,
  introspectionEnabled: true,
  /** On outside production: read from NODE_ENV when the options are resolved. */
  get validateOutbound(): boolean {
    return process.env.NODE_ENV !== 'production';
  },
} as const;

/** The burst of a rate limit that names none (`rateLimit`, a message's `rate`): one second's worth, at least 1. */
export function defaultBurst(rate: number): number {
  return Math.max(1, Math.ceil(rate));
}
