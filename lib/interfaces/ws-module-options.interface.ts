/** A duration in milliseconds, or a string such as `"250ms"`, `"30s"`, `"5m"`, `"1h"`. */
export type WsDuration = number | string;

export type WsFormat = 'text' | 'binary';
export type WsCodecName = 'json' | 'msgpack';
export type WsPriority = 'high' | 'normal' | 'low';
export type WsQueuePolicy = 'block' | 'close' | 'drop';

/**
 * Options of `WsModule.forRoot()`. Every field is optional; the defaults are listed per field.
 * @publicApi
 */
export interface WsModuleOptions {
  /** Upgrade path of the default space. @default '/ws' */
  path?: string;
  /** Further spaces, by name, each with its own upgrade path: `{ custom: '/socket/custom' }`. */
  spaces?: Record<string, string>;
  /**
   * Listen on a port of its own instead of the Nest HTTP server's. @default undefined (share the HTTP port)
   */
  port?: number;
  /**
   * Request headers a session keeps in `session.request.headers` (lower-case names). Credentials are not kept
   * unless listed. @default ['user-agent', 'origin', 'x-forwarded-for', 'x-real-ip']
   */
  keepHeaders?: string[];
  /** Identifies this node inside session ids. @default random, 8 characters (base64url) */
  nodeId?: string;
  /** Frame type of outbound messages. @default 'text' for json, 'binary' for msgpack */
  format?: WsFormat;
  /** Envelope encoding. `msgpack` needs the `@msgpack/msgpack` package. @default 'json' */
  codec?: WsCodecName;
  /** Protocol ping interval. @default '30s' */
  pingInterval?: WsDuration;
  /** A peer silent this long is terminated. @default '75s' */
  readTimeout?: WsDuration;
  /** A write that cannot complete in this time ends the session. @default '10s' */
  writeTimeout?: WsDuration;
  /** Largest inbound frame in bytes, decompressed size included. @default 4 MiB */
  maxMessageSize?: number;
  /** Outbound queue bound per session, in messages. @default 128 */
  queueSize?: number;
  /** What a full normal-priority lane does. @default 'close' */
  queuePolicy?: WsQueuePolicy;
  /** permessage-deflate. @default false */
  compression?: boolean;
  /** zlib level 0-9 when compression is on. @default 1 */
  compressLevel?: number;
  /** Period of the observation summary; 0 turns it off. @default 0 */
  observeInterval?: WsDuration;
  /** Write the periodic summary to the Nest logger. @default false */
  observeLog?: boolean;
  /** Open an OpenTelemetry span per handled message. @default false */
  observeTrace?: boolean;
  /**
   * HTTP endpoints `GET <path>/export`, `<path>/asyncapi.json`, `<path>/metrics[?format=prometheus]`, mounted on
   * the Nest HTTP adapter; `false` turns them off. @default { enabled: true, path: '/ws' }
   */
  introspection?: false | WsIntrospectionOptions;
  /** Prometheus exposition through prom-client (optional peer). @default { prefix: 'ws_' } with a private registry */
  prometheus?: WsPrometheusOptions;
}

/** @publicApi */
export interface WsIntrospectionOptions {
  /** @default true */
  enabled?: boolean;
  /** Prefix of the introspection routes. @default '/ws' */
  path?: string;
}

/** @publicApi */
export interface WsPrometheusOptions {
  /** The app's prom-client `Registry`; the module's metrics join it at bootstrap. @default a private registry */
  registry?: unknown;
  /** Prefix of every metric name. @default 'ws_' */
  prefix?: string;
}

/** The options after validation: every field present, durations in milliseconds. */
export interface WsResolvedOptions {
  path: string;
  spaces: Record<string, string>;
  port: number | undefined;
  keepHeaders: string[];
  nodeId: string;
  format: WsFormat;
  codec: WsCodecName;
  pingInterval: number;
  readTimeout: number;
  writeTimeout: number;
  maxMessageSize: number;
  queueSize: number;
  queuePolicy: WsQueuePolicy;
  compression: boolean;
  compressLevel: number;
  observeInterval: number;
  observeLog: boolean;
  observeTrace: boolean;
  introspection: { enabled: boolean; path: string };
  prometheus: { registry: unknown; prefix: string };
}
