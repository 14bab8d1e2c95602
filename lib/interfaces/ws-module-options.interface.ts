import type { IncomingMessage } from 'node:http';
import type { WsUpgradeSettings } from './ws-authenticator.interface.js';
import type { WsEnvelopeOption } from '../protocol/envelope-dialect.js';

/** What `resolveSpace` returns for an upgrade it places: the space, and facts read from the path. */
export interface WsResolvedSpace {
  space: string;
  /** Kept in `session.request.params`, e.g. `{ id: '42' }` for `/rooms/42`. */
  params?: Record<string, string>;
}

/** A duration in milliseconds, or a string such as `"250ms"`, `"30s"`, `"5m"`, `"1h"`. */
export type WsDuration = number | string;

export type WsFormat = 'text' | 'binary';
export type WsCodecName = 'json' | 'msgpack';
export type WsPriority = 'high' | 'normal' | 'low';
export type WsQueuePolicy = 'block' | 'close' | 'drop';

/** A token bucket: `rate` messages per second on average, bursts of up to `burst`. */
export interface WsRateLimit {
  rate: number;
  burst?: number;
}

/** The module-wide inbound rate limit per session. */
export interface WsSessionRateLimit extends WsRateLimit {
  /**
   * Excess messages (answered 429) a session may accumulate, repaid at `rate`, before it is closed with 1008.
   * @default burst
   */
  closeAfter?: number;
  /**
   * Inbound bytes per second per session, counted on every frame before it is parsed; over it a frame is answered
   * 429 unread, and a session whose excess exceeds `bytesBurst` is closed with 1008. @default no byte budget
   */
  bytesPerSecond?: number;
  /** Bytes a session may send at once; at least `maxMessageSize`. @default max(bytesPerSecond, maxMessageSize) */
  bytesBurst?: number;
}

/** Where the Redis that joins the nodes is: a `url`, or host/port/password/db. */
export interface WsRedisOptions {
  url?: string;
  host?: string;
  port?: number;
  password?: string;
  db?: number;
  /**
   * A Redis Cluster (Redis ≥ 7) instead of one Redis: its startup nodes (a few masters are enough). Dispatch then
   * uses sharded pub/sub (SSUBSCRIBE, SPUBLISH), so each message crosses one shard. Excludes `url`, `host`,
   * `port` and `db`; `password` applies to every node. @default none (one Redis)
   */
  cluster?: { host: string; port: number }[];
  /** Prefix of every channel, so several apps can share one Redis. @default 'ws' */
  keyPrefix?: string;
  /**
   * How long a publish may wait for Redis to acknowledge it; past it the send resolves with `firstError` set and
   * counts in `clusterFailures`. Also paces the watchdog that reconnects a connection that stopped answering.
   * @default '1s'
   */
  publishTimeout?: number | string;
  /**
   * A shared secret: every packet carries an HMAC-SHA256 of itself under this key, and packets without a valid
   * one are dropped and counted in `clusterRejected`. Every node must have the same secret. @default none
   */
  secret?: string;
  /**
   * How long this node's entry in the presence directory (its users and groups, per space) outlives its last
   * heartbeat; refreshed every `leaseTtl / 3`. A node that dies is forgotten by the cluster-wide queries and by
   * interest-routed sends within it. At least 1.5 s. @default '15s'
   */
  leaseTtl?: number | string;
  /**
   * Where `pushUser` and `groupcast` go between nodes. `'interest'`: only to the nodes the presence directory says
   * hold the target, one packet each on its own channel (none when no other node does). `'shared'`: one packet on
   * the shared channel, which every node receives, as a broadcast does; for targets that sit on nearly every node,
   * where one publish costs Redis less than one per node. The presence directory is kept either way (the
   * cluster-wide queries read it), and nodes with either setting can run side by side. @default 'interest'
   */
  routing?: 'interest' | 'shared';
}

/**
 * A space given as an object instead of a bare path. Its `authenticator` and `allowedOrigins` replace the
 * module's for this space; its `guards` run after the module's.
 */
export interface WsSpaceOptions extends WsUpgradeSettings {
  path: string;
  /** Open sessions this space accepts; past it the upgrade is answered 503. */
  maxConnections?: number;
  /**
   * Which of the default space's messages, commands and error handlers this space falls back to: `true` all of
   * them, `false` none, or a list of message/command names, where an entry ending in "." is a prefix
   * (`'demo.'` matches every name that starts with `demo.`); with a list, error handlers are inherited.
   * The default space's filters and hooks run in every space whatever this says. @default true
   */
  inherit?: boolean | string[];
  /**
   * The envelope's field names in this space: `'wsrv'` (go-eyas/wsrv: `cmd`, `seqno`, `status`, `msg`, `data`,
   * "ok" on success, no time) or `{ name, id, code, text, data, time, successText }`. Every frame of the space, in
   * and out, uses them. @default the default envelope
   */
  envelope?: WsEnvelopeOption;
  /**
   * Frames of this space are not envelopes: each goes as it is to the space's `@WsRaw()` handler. @default false
   */
  raw?: boolean;
}

/**
 * Options of `WsModule.forRoot()`. Every field is optional; the defaults are listed per field.
 * @publicApi
 */
export interface WsModuleOptions extends WsUpgradeSettings {
  /** Upgrade path of the default space. @default '/ws' */
  path?: string;
  /**
   * Further spaces, by name, each with its own upgrade path: `{ custom: '/socket/custom' }`, or with settings of
   * its own: `{ custom: { path: '/socket/custom', maxConnections: 1000 } }`.
   */
  spaces?: Record<string, string | WsSpaceOptions>;
  /**
   * Listen on a port of its own instead of the Nest HTTP server's. @default undefined (share the HTTP port)
   */
  port?: number;
  /**
   * With `port`: a connection whose upgrade request headers are not complete within this time is cut (408). With
   * the Nest HTTP server, that server's own `headersTimeout` applies instead. @default '10s'
   */
  handshakeTimeout?: WsDuration;
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
  /** Outbound queue bound per session, in bytes (the message bound applies too). @default 8 MiB */
  queueBytes?: number;
  /** Open sessions this node accepts, all spaces together; past it the upgrade is answered 503. @default unlimited */
  maxConnections?: number;
  /** Inbound rate limit per session; excess gets 429, a session that keeps flooding is closed with 1008. @default off */
  rateLimit?: WsSessionRateLimit | false;
  /**
   * On shutdown, how long the handlers already running get to finish and then queued messages to reach their
   * clients (one budget for both), before every session is closed with 1001. @default '5s'
   */
  shutdownGrace?: WsDuration;
  /** permessage-deflate. @default false */
  compression?: boolean;
  /** zlib level 0-9 when compression is on. @default 1 */
  compressLevel?: number;
  /** Frames smaller than this many bytes go uncompressed. @default 1024 */
  compressThreshold?: number;
  /** Period of the observation summary; 0 turns it off. @default 0 */
  observeInterval?: WsDuration;
  /** Write the periodic summary to the Nest logger. @default false */
  observeLog?: boolean;
  /** Open an OpenTelemetry span per handled message. @default false */
  observeTrace?: boolean;
  /**
   * Keep the last handled messages (space, name, code, µs, bytes, time) in a ring, served at
   * `GET <introspection.path>/trace` and by `WsIntrospection.trace()`. `true` keeps 100. @default false
   */
  trace?: boolean | { size?: number };
  /**
   * Greet every new session, after its open hooks and before any reply, with `{ name: 'ws.welcome', data: { sid,
   * space, user, node } }` (a push like any other, code 0). A string names the message instead. @default false
   */
  welcome?: boolean | string;
  /**
   * Session recovery: a session that ends without a clean close is kept for `window` (its user, groups and up to
   * `buffer` frames sent to it), and a client reconnecting with the welcome's `resume` token gets it back. Needs
   * `welcome`. `true`: `{ window: '30s', buffer: 1000 }`. @default false
   */
  resume?: boolean | { window?: WsDuration; buffer?: number };
  /**
   * Chooses the space of an upgrade whose path no space is configured at: `{ space, params? }` (`params` go to
   * `session.request.params`), a space name, or `undefined` for 404. Naming a space that is not configured is
   * answered 500 and logged. The chosen space's origin check, guards and authenticator apply. @default none
   */
  resolveSpace?: (request: IncomingMessage) => WsResolvedSpace | string | undefined;
  /** Argument classes: strip properties without decorators (`whitelist`), or refuse them (`forbidNonWhitelisted`). */
  validation?: { whitelist?: boolean; forbidNonWhitelisted?: boolean };
  /** Check the data of declared commands against their argument class before sending. @default NODE_ENV !== 'production' */
  validateOutbound?: boolean;
  /** Deepest JSON nesting accepted; deeper is answered 400. @default 64 */
  maxDepth?: number;
  /** Groups one session may be in at once; a `join` past it throws `WsGroupLimitError`. @default 1000 */
  maxGroups?: number;
  /** Dispatch between nodes through Redis (needs `@nestjs/microservices` and `ioredis`). @default single node */
  redis?: WsRedisOptions;
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
  handshakeTimeout: number;
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
  queueBytes: number;
  maxConnections: number;
  /** Per-space connection limits (Infinity where none). */
  spaceMaxConnections: Record<string, number>;
  /** What each space inherits from the default space (`true` for the default space itself). */
  spaceInherit: Record<string, boolean | string[]>;
  /** The spaces with an `envelope` option, and it; the others use the default envelope. */
  spaceEnvelope: Record<string, WsEnvelopeOption>;
  /** The spaces whose frames go unparsed to a `@WsRaw()` handler. */
  rawSpaces: string[];
  /** `bytesPerSecond` undefined: no byte budget. */
  rateLimit: (Required<Omit<WsSessionRateLimit, 'bytesPerSecond'>> & { bytesPerSecond: number | undefined }) | false;
  shutdownGrace: number;
  compression: boolean;
  compressLevel: number;
  compressThreshold: number;
  observeInterval: number;
  observeLog: boolean;
  observeTrace: boolean;
  trace: { size: number } | false;
  /** The welcome message's name, or `false`. */
  welcome: string | false;
  /** Session recovery: `window` in ms, `buffer` in frames; `false` when off. */
  resume: { window: number; buffer: number } | false;
  resolveSpace: ((request: IncomingMessage) => WsResolvedSpace | string | undefined) | undefined;
  validation: { whitelist: boolean; forbidNonWhitelisted: boolean };
  validateOutbound: boolean;
  maxDepth: number;
  maxGroups: number;
  redis: (WsRedisOptions & { keyPrefix: string; publishTimeout: number; leaseTtl: number; routing: 'interest' | 'shared' }) | undefined;
  /** The upgrade checks of each space, the module's merged in. */
  upgrade: Record<string, WsUpgradeSettings>;
  introspection: { enabled: boolean; path: string };
  prometheus: { registry: unknown; prefix: string };
}
