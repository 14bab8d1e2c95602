/** The seed's defaults. Durations are strings here so the README and the code say the same thing. */
export const WS_OPTION_DEFAULTS = {
  path: '/ws',
  keepHeaders: ['user-agent', 'origin', 'x-forwarded-for', 'x-real-ip'],
  pingInterval: '30s',
  readTimeout: '75s',
  writeTimeout: '10s',
  maxMessageSize: 4 * 1024 * 1024,
  queueSize: 128,
  queuePolicy: 'close',
  compression: false,
  compressLevel: 1,
  observeInterval: 0,
  observeLog: false,
  observeTrace: false,
  codec: 'json',
  introspectionPath: '/ws',
  prometheusPrefix: 'ws_',
} as const;
