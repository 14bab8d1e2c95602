import { randomBytes } from 'node:crypto';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsUpgradeSettings } from '../interfaces/ws-authenticator.interface.js';
import type {
  WsIntrospectionOptions,
  WsModuleOptions,
  WsPrometheusOptions,
  WsRedisOptions,
  WsResolvedOptions,
  WsSessionRateLimit,
  WsSpaceOptions,
} from '../interfaces/ws-module-options.interface.js';
import { parseDuration } from '../utils/duration.util.js';
import { DEFAULT_SPACE } from '../ws.constants.js';
import { INVALID_OPTION } from '../ws.messages.js';
import { envelopeProblem, type WsEnvelopeOption } from '../protocol/envelope-dialect.js';
import { optionKeys } from './option-keys.js';
import { defaultBurst, WS_OPTION_DEFAULTS as D } from './ws-options.defaults.js';

const KNOWN_OPTIONS = optionKeys<WsModuleOptions>({
  path: true,
  spaces: true,
  port: true,
  keepHeaders: true,
  nodeId: true,
  format: true,
  codec: true,
  pingInterval: true,
  readTimeout: true,
  writeTimeout: true,
  maxMessageSize: true,
  queueSize: true,
  queuePolicy: true,
  queueBytes: true,
  maxConnections: true,
  rateLimit: true,
  shutdownGrace: true,
  compression: true,
  compressLevel: true,
  compressThreshold: true,
  observeInterval: true,
  validation: true,
  validateOutbound: true,
  maxDepth: true,
  authenticator: true,
  allowedOrigins: true,
  guards: true,
  introspection: true,
  prometheus: true,
  redis: true,
  observeLog: true,
  observeTrace: true,
  trace: true,
  maxGroups: true,
  handshakeTimeout: true,
  welcome: true,
  resume: true,
  resolveSpace: true,
});
const SPACE_KEYS = optionKeys<WsSpaceOptions>({
  path: true,
  maxConnections: true,
  authenticator: true,
  allowedOrigins: true,
  guards: true,
  inherit: true,
  envelope: true,
  raw: true,
});
const RATE_LIMIT_KEYS = optionKeys<WsSessionRateLimit>({ rate: true, burst: true, closeAfter: true, bytesPerSecond: true, bytesBurst: true });
const REDIS_KEYS = optionKeys<WsRedisOptions>({
  url: true,
  host: true,
  port: true,
  password: true,
  db: true,
  keyPrefix: true,
  publishTimeout: true,
  secret: true,
  cluster: true,
  leaseTtl: true,
  routing: true,
});
const TRACE_KEYS = optionKeys<Exclude<WsModuleOptions['trace'], boolean | undefined>>({ size: true });
const INTROSPECTION_KEYS = optionKeys<WsIntrospectionOptions>({ enabled: true, path: true });
const PROMETHEUS_KEYS = optionKeys<WsPrometheusOptions>({ registry: true, prefix: true });
const SPACE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NODE_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Validates the user's options and fills in the defaults. Every problem is a `WsConfigError` that names the
 * option, so a typo fails the bootstrap instead of silently running with a default.
 */
export function resolveOptions(input: WsModuleOptions = {}): WsResolvedOptions {
  if (input === null || typeof input !== 'object') throw fail('options', 'must be an object', input);
  checkKeys('', input, KNOWN_OPTIONS);

  const path = input.path ?? D.path;
  checkPath('path', path);
  const spaces: Record<string, string> = { [DEFAULT_SPACE]: path };
  const spaceMaxConnections: Record<string, number> = { [DEFAULT_SPACE]: D.maxConnections };
  const spaceInherit: Record<string, boolean | string[]> = { [DEFAULT_SPACE]: D.inherit };
  const spaceEnvelope: Record<string, WsEnvelopeOption> = {};
  const rawSpaces: string[] = [];
  const moduleUpgrade = upgradeSettings('', input);
  const upgrade: Record<string, WsUpgradeSettings> = { [DEFAULT_SPACE]: moduleUpgrade };
  const seenPaths = new Map<string, string>([[path, DEFAULT_SPACE]]);
  if (input.spaces !== undefined) {
    if (input.spaces === null || typeof input.spaces !== 'object' || Array.isArray(input.spaces)) {
      throw fail('spaces', 'must map space names to paths', input.spaces);
    }
    for (const [name, value] of Object.entries(input.spaces)) {
      if (!SPACE_NAME.test(name)) throw fail(`spaces.${name}`, 'space names use letters, digits, "_", "." and "-"', name);
      if (name === DEFAULT_SPACE) throw fail(`spaces.${name}`, `"${DEFAULT_SPACE}" is set with "path"`, value);
      const settings = typeof value === 'string' ? { path: value } : value;
      if (settings === null || typeof settings !== 'object') throw fail(`spaces.${name}`, 'must be a path or { path, ... }', value);
      checkKeys(`spaces.${name}.`, settings, SPACE_KEYS, 'is not a known space setting');
      const spacePath = settings.path;
      checkPath(`spaces.${name}`, spacePath);
      const own = upgradeSettings(`spaces.${name}.`, settings);
      upgrade[name] = {
        authenticator: own.authenticator ?? moduleUpgrade.authenticator,
        allowedOrigins: own.allowedOrigins ?? moduleUpgrade.allowedOrigins,
        guards: [...(moduleUpgrade.guards ?? []), ...(own.guards ?? [])],
      };
      spaceMaxConnections[name] =
        settings.maxConnections === undefined ? D.maxConnections : integer(`spaces.${name}.maxConnections`, settings.maxConnections, 0);
      spaceInherit[name] = inheritOf(`spaces.${name}.inherit`, settings.inherit);
      if (envelopeRawOf(name, settings)) rawSpaces.push(name);
      if (settings.envelope !== undefined) spaceEnvelope[name] = settings.envelope;
      const taken = seenPaths.get(spacePath);
      if (taken) throw fail(`spaces.${name}`, `path is already used by space "${taken}"`, spacePath);
      seenPaths.set(spacePath, name);
      spaces[name] = spacePath;
    }
  }

  const codec = input.codec ?? D.codec;
  if (codec !== 'json' && codec !== 'msgpack') throw fail('codec', 'must be "json" or "msgpack"', codec);
  const format = input.format ?? (codec === 'msgpack' ? 'binary' : 'text');
  if (format !== 'text' && format !== 'binary') throw fail('format', 'must be "text" or "binary"', format);
  if (codec === 'msgpack' && format === 'text') throw fail('format', 'msgpack needs "binary" frames', format);

  const queuePolicy = input.queuePolicy ?? D.queuePolicy;
  if (!['block', 'close', 'drop'].includes(queuePolicy)) {
    throw fail('queuePolicy', 'must be "block", "close" or "drop"', queuePolicy);
  }

  const nodeId = input.nodeId ?? randomBytes(6).toString('base64url');
  if (typeof nodeId !== 'string' || !NODE_ID.test(nodeId)) {
    throw fail('nodeId', 'must be 1-32 letters, digits, "_" or "-"', nodeId);
  }
  if (input.port !== undefined && !(Number.isInteger(input.port) && input.port >= 0 && input.port < 65536)) {
    throw fail('port', 'must be an integer port number', input.port);
  }

  const keepHeaders = input.keepHeaders ?? [...D.keepHeaders];
  if (!Array.isArray(keepHeaders) || keepHeaders.some((h) => typeof h !== 'string')) {
    throw fail('keepHeaders', 'must be a list of header names', keepHeaders);
  }

  const pingInterval = duration('pingInterval', input.pingInterval ?? D.pingInterval, true);
  const readTimeout = duration('readTimeout', input.readTimeout ?? D.readTimeout, true);
  if (readTimeout <= pingInterval) {
    throw fail('readTimeout', `must be longer than pingInterval (${pingInterval} ms)`, input.readTimeout ?? D.readTimeout);
  }

  const maxMessageSize = integer('maxMessageSize', input.maxMessageSize ?? D.maxMessageSize, 64);
  let rateLimit: WsResolvedOptions['rateLimit'] = false;
  if (input.rateLimit !== undefined && input.rateLimit !== false) {
    const r = input.rateLimit;
    if (r === null || typeof r !== 'object') throw fail('rateLimit', 'must be { rate, burst?, closeAfter?, bytesPerSecond?, bytesBurst? } or false', r);
    checkKeys('rateLimit.', r, RATE_LIMIT_KEYS);
    const rate = positiveNumber('rateLimit.rate', r.rate);
    const burst = r.burst === undefined ? defaultBurst(rate) : integer('rateLimit.burst', r.burst, 1);
    rateLimit = { rate, burst, closeAfter: r.closeAfter === undefined ? burst : integer('rateLimit.closeAfter', r.closeAfter, 0), ...byteBudget(r, maxMessageSize) };
  }

  return {
    path,
    spaces,
    port: input.port,
    handshakeTimeout: duration('handshakeTimeout', input.handshakeTimeout ?? D.handshakeTimeout, true),
    keepHeaders: keepHeaders.map((h) => h.toLowerCase()),
    nodeId,
    format,
    codec,
    pingInterval,
    readTimeout,
    writeTimeout: duration('writeTimeout', input.writeTimeout ?? D.writeTimeout, true),
    maxMessageSize,
    queueSize: integer('queueSize', input.queueSize ?? D.queueSize, 1),
    queuePolicy,
    queueBytes: integer('queueBytes', input.queueBytes ?? D.queueBytes, 1024),
    maxConnections: input.maxConnections === undefined ? D.maxConnections : integer('maxConnections', input.maxConnections, 0),
    spaceMaxConnections,
    spaceInherit,
    spaceEnvelope,
    rawSpaces,
    rateLimit,
    shutdownGrace: duration('shutdownGrace', input.shutdownGrace ?? D.shutdownGrace, false),
    compression: flag('compression', input.compression ?? D.compression),
    compressLevel: integer('compressLevel', input.compressLevel ?? D.compressLevel, 0, 9),
    compressThreshold: integer('compressThreshold', input.compressThreshold ?? D.compressThreshold, 0),
    observeInterval: duration('observeInterval', input.observeInterval ?? D.observeInterval, false),
    observeLog: flag('observeLog', input.observeLog ?? D.observeLog),
    observeTrace: flag('observeTrace', input.observeTrace ?? D.observeTrace),
    trace: traceOf(input.trace),
    welcome: welcomeOf(input.welcome),
    resume: resumeOf(input.resume, input.welcome),
    resolveSpace: resolveSpaceOf(input.resolveSpace),
    validation: {
      whitelist: flag('validation.whitelist', input.validation?.whitelist ?? D.validationWhitelist),
      forbidNonWhitelisted: flag('validation.forbidNonWhitelisted', input.validation?.forbidNonWhitelisted ?? D.validationForbidNonWhitelisted),
    },
    validateOutbound: flag('validateOutbound', input.validateOutbound ?? D.validateOutbound),
    maxDepth: integer('maxDepth', input.maxDepth ?? D.maxDepth, 1, 10_000),
    maxGroups: integer('maxGroups', input.maxGroups ?? D.maxGroups, 1),
    upgrade,
    redis: redisOf(input.redis),
    introspection: introspectionOf(input.introspection),
    prometheus: prometheusOf(input.prometheus),
  };
}

/** The byte budget of `rateLimit`; its burst must let the largest accepted frame through. */
function byteBudget(r: WsSessionRateLimit, maxMessageSize: number): { bytesPerSecond: number | undefined; bytesBurst: number } {
  if (r.bytesPerSecond === undefined) {
    if (r.bytesBurst !== undefined) throw fail('rateLimit.bytesBurst', 'needs rateLimit.bytesPerSecond', r.bytesBurst);
    return { bytesPerSecond: undefined, bytesBurst: 0 };
  }
  const bytesPerSecond = positiveNumber('rateLimit.bytesPerSecond', r.bytesPerSecond);
  if (r.bytesBurst === undefined) return { bytesPerSecond, bytesBurst: Math.max(Math.ceil(bytesPerSecond), maxMessageSize) };
  return { bytesPerSecond, bytesBurst: integer('rateLimit.bytesBurst', r.bytesBurst, maxMessageSize) };
}

function redisOf(value: unknown): WsResolvedOptions['redis'] {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('redis', 'must be { url } or { host, port, ... }', value);
  const r = value as Record<string, unknown>;
  checkKeys('redis.', r, REDIS_KEYS);
  if (r.url !== undefined) {
    if (typeof r.url !== 'string' || !/^rediss?:\/\//.test(r.url)) throw fail('redis.url', 'must be a redis:// URL', r.url);
  }
  if (r.host !== undefined && typeof r.host !== 'string') throw fail('redis.host', 'must be a host name', r.host);
  if (r.port !== undefined) integer('redis.port', r.port, 1, 65535);
  if (r.db !== undefined) integer('redis.db', r.db, 0, 10_000);
  if (r.password !== undefined && typeof r.password !== 'string') throw fail('redis.password', 'must be a string', '***');
  const cluster = clusterOf(r);
  const keyPrefix = r.keyPrefix ?? D.redisKeyPrefix;
  if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(keyPrefix)) throw fail('redis.keyPrefix', 'must be 1-64 letters, digits, "_", ".", ":" or "-"', keyPrefix);
  const publishTimeout = duration('redis.publishTimeout', r.publishTimeout ?? D.redisPublishTimeout, true);
  if (r.secret !== undefined && (typeof r.secret !== 'string' || r.secret.length < 16)) throw fail('redis.secret', 'must be a string of at least 16 characters', '***');
  // A lease shorter than a few heartbeats (leaseTtl / 3 each) would lapse under ordinary load.
  const leaseTtl = duration('redis.leaseTtl', r.leaseTtl ?? D.redisLeaseTtl, true);
  if (leaseTtl < 1500) throw fail('redis.leaseTtl', 'must be at least 1.5s', r.leaseTtl);
  const routing = r.routing ?? D.redisRouting;
  if (routing !== 'interest' && routing !== 'shared') throw fail('redis.routing', 'must be "interest" or "shared"', r.routing);
  return {
    url: r.url as string | undefined,
    host: (r.host as string | undefined) ?? D.redisHost,
    port: (r.port as number | undefined) ?? D.redisPort,
    password: r.password as string | undefined,
    db: r.db as number | undefined,
    keyPrefix,
    publishTimeout,
    secret: r.secret as string | undefined,
    ...(cluster ? { cluster } : {}),
    leaseTtl,
    routing,
  };
}

/** `redis.cluster`: a non-empty list of `{ host, port }`, alone (no url, host, port or db beside it). */
function clusterOf(r: Record<string, unknown>): { host: string; port: number }[] | undefined {
  if (r.cluster === undefined) return undefined;
  const shape = 'must be a non-empty list of { host, port }';
  if (!Array.isArray(r.cluster) || r.cluster.length === 0) throw fail('redis.cluster', shape, r.cluster);
  for (const key of ['url', 'host', 'port', 'db']) {
    if (r[key] !== undefined) throw fail('redis.cluster', `excludes redis.${key}: the nodes come from the cluster (and it has only db 0)`, r.cluster);
  }
  return r.cluster.map((node: unknown, i) => {
    const n = node as Record<string, unknown>;
    if (n === null || typeof n !== 'object' || Array.isArray(n) || Object.keys(n).some((key) => key !== 'host' && key !== 'port')) throw fail(`redis.cluster[${i}]`, shape, node);
    if (typeof n.host !== 'string' || n.host.length === 0) throw fail(`redis.cluster[${i}].host`, 'must be a host name', n.host);
    return { host: n.host, port: integer(`redis.cluster[${i}].port`, n.port, 1, 65535) };
  });
}

function upgradeSettings(prefix: string, input: WsUpgradeSettings): WsUpgradeSettings {
  const { authenticator, allowedOrigins, guards } = input;
  if (authenticator !== undefined && typeof authenticator !== 'function') {
    throw fail(`${prefix}authenticator`, 'must be a provider class or a function', authenticator);
  }
  if (allowedOrigins !== undefined && allowedOrigins !== '*' && typeof allowedOrigins !== 'function') {
    if (!Array.isArray(allowedOrigins) || allowedOrigins.some((o) => typeof o !== 'string')) {
      throw fail(`${prefix}allowedOrigins`, 'must be "*", a list of origins or a function', allowedOrigins);
    }
  }
  if (guards !== undefined && (!Array.isArray(guards) || guards.some((g) => typeof g !== 'function'))) {
    throw fail(`${prefix}guards`, 'must be a list of guard classes', guards);
  }
  return { authenticator, allowedOrigins, guards };
}

function inheritOf(option: string, value: unknown): boolean | string[] {
  if (value === undefined) return D.inherit;
  if (typeof value === 'boolean') return value;
  if (!Array.isArray(value) || value.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw fail(option, 'must be true, false or a list of message names and "prefix." entries', value);
  }
  return [...value];
}

/** Checks a space's `envelope` and `raw`; true when the space is raw. A raw space has no envelope to name. */
function envelopeRawOf(name: string, settings: { envelope?: unknown; raw?: unknown }): boolean {
  if (settings.envelope !== undefined) {
    const problem = envelopeProblem(settings.envelope);
    if (problem) throw fail(`spaces.${name}.envelope`, problem, settings.envelope);
  }
  if (settings.raw === undefined) return false;
  const raw = flag(`spaces.${name}.raw`, settings.raw);
  if (raw && settings.envelope !== undefined) throw fail(`spaces.${name}.raw`, 'a raw space has no envelope; remove "envelope"', settings.raw);
  return raw;
}

function traceOf(value: unknown): WsResolvedOptions['trace'] {
  if (value === undefined || value === false) return false;
  if (value === true) return { size: D.traceSize };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('trace', 'must be true, false or { size }', value);
  checkKeys('trace.', value, TRACE_KEYS);
  const { size = D.traceSize } = value as Record<string, unknown>;
  return { size: integer('trace.size', size, 1, 100_000) };
}

function welcomeOf(value: unknown): WsResolvedOptions['welcome'] {
  if (value === undefined || value === false) return false;
  if (value === true) return D.welcomeName;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw fail('welcome', 'must be true, false or a message name', value);
  return value;
}

function resumeOf(value: unknown, welcome: unknown): WsResolvedOptions['resume'] {
  if (value === undefined || value === false) return false;
  if (value !== true && (value === null || typeof value !== 'object' || Array.isArray(value))) throw fail('resume', 'must be true, false or { window?, buffer? }', value);
  const { window = D.resumeWindow, buffer = D.resumeBuffer, ...rest } = value === true ? {} : (value as Record<string, unknown>);
  for (const key of Object.keys(rest)) throw fail(`resume.${key}`, 'is not a known option', rest[key]);
  // The welcome carries the token: without it no client could ever resume.
  if (welcome === undefined || welcome === false) throw fail('resume', 'needs the welcome, which carries the resume token: set welcome: true', value);
  return { window: duration('resume.window', window, true), buffer: integer('resume.buffer', buffer, 1, 1_000_000) };
}

function resolveSpaceOf(value: unknown): WsResolvedOptions['resolveSpace'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw fail('resolveSpace', 'must be a function (request) => { space, params? } | string | undefined', value);
  return value as WsResolvedOptions['resolveSpace'];
}

function introspectionOf(value: unknown): WsResolvedOptions['introspection'] {
  if (value === false) return { enabled: false, path: D.introspectionPath };
  if (value === undefined) return { enabled: D.introspectionEnabled, path: D.introspectionPath };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail('introspection', 'must be false or { enabled?, path? }', value);
  }
  checkKeys('introspection.', value, INTROSPECTION_KEYS);
  const { enabled = D.introspectionEnabled, path = D.introspectionPath } = value as Record<string, unknown>;
  checkPath('introspection.path', path);
  return { enabled: flag('introspection.enabled', enabled), path: path.replace(/(.)\/+$/, '$1') };
}

function prometheusOf(value: unknown): WsResolvedOptions['prometheus'] {
  if (value === undefined) return { registry: undefined, prefix: D.prometheusPrefix };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail('prometheus', 'must be { registry?, prefix? }', value);
  }
  checkKeys('prometheus.', value, PROMETHEUS_KEYS);
  const { registry, prefix = D.prometheusPrefix } = value as Record<string, unknown>;
  if (registry !== undefined && typeof (registry as { registerMetric?: unknown })?.registerMetric !== 'function') {
    throw fail('prometheus.registry', 'must be a prom-client Registry', registry);
  }
  if (typeof prefix !== 'string' || !/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    throw fail('prometheus.prefix', 'must be a valid Prometheus name prefix such as "ws_"', prefix);
  }
  return { registry, prefix };
}

/** Refuses the first key of `value` that is not in `known`, naming it with `prefix`. */
function checkKeys(prefix: string, value: object, known: ReadonlySet<string>, problem = 'is not a known option'): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw fail(`${prefix}${key}`, problem, (value as Record<string, unknown>)[key]);
  }
}

function fail(option: string, problem: string, value: unknown): WsConfigError {
  return new WsConfigError(INVALID_OPTION(option, problem, value));
}

function checkPath(option: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
    throw fail(option, 'must be a path starting with "/", without query or spaces', value);
  }
}

function duration(option: string, value: unknown, positive: boolean): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw fail(option, 'must be milliseconds or a string like "30s", "500ms", "5m"', value);
  if (positive && ms <= 0) throw fail(option, 'must be greater than zero', value);
  return ms;
}

function integer(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fail(option, `must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`, value);
  }
  return value;
}

function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw fail(option, 'must be a number greater than zero', value);
  return value;
}

function flag(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw fail(option, 'must be true or false', value);
  return value;
}
