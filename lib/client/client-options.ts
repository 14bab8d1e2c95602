import { RECONNECT_DEFAULTS, type ResolvedReconnect, type WsReconnectOptions } from './backoff.js';
import type { WsClientCodec } from './client-codec.js';
import type { WsClientEnvelope } from './envelope-fields.js';
import type { WsQueueOptions, WsQueuePolicy } from './offline-queue.js';
import type { WsSocketConstructor } from './socket.js';

/**
 * Empty-frame heartbeats. The client sends an empty frame whenever it has written nothing for `interval` (the
 * server reads it as a heartbeat: it refreshes the read deadline, no reply), so an idle client is never taken for
 * a dead one, and a write to a peer that is gone makes the socket fail instead of waiting for the next send.
 * A connection from which nothing arrived for `timeout` (no frame; under `ws`, no protocol ping either) is taken
 * for dead: dropped and reconnected.
 * @publicApi
 */
export interface WsHeartbeatOptions {
  /** ms. @default 25000 */
  interval?: number;
  /**
   * ms, or false for none. @default 75000 with `ws` (the server pings every 30 s, and `ws` shows the pings),
   * false with a browser's WebSocket, which hides pings: an idle connection there would look dead.
   */
  timeout?: number | false;
}

/** @publicApi */
export interface WsClientOptions {
  /** Reconnection after a drop; `false` for none. @default { minDelay: 250, maxDelay: 10000, factor: 2, jitter: 0.5 } */
  reconnect?: WsReconnectOptions | boolean;
  /** @default { interval: 25000 } ; `false` sends none. */
  heartbeat?: WsHeartbeatOptions | false;
  /** `'json'`, or a codec such as the `@msgpack/msgpack` module for a server with `codec: 'msgpack'`. @default 'json' */
  codec?: 'json' | WsClientCodec;
  /** The space's envelope dialect, as on the server: `'wsrv'` or the field names. */
  envelope?: WsClientEnvelope;
  /** The offline queue: sends made while disconnected. @default { max: 1000, policy: 'drop-oldest' } */
  queue?: WsQueueOptions;
  /** Default request timeout, ms. @default 10000 */
  timeout?: number;
  /** The WebSocket constructor; by default the global one, else the `ws` package. */
  WebSocket?: WsSocketConstructor;
  /**
   * Session recovery, for a server with the `resume` option: after a drop, reconnect with the last welcome's token
   * and get the session back (user, groups, the pushes missed meanwhile). `open` then reports `resumed`. `welcome`:
   * the server's welcome name when it is not `ws.welcome`. @default false
   */
  resume?: boolean | { welcome?: string };
}

export interface ResolvedClientOptions {
  reconnect: ResolvedReconnect | false;
  heartbeatInterval: number | false;
  /** undefined: decided per socket (see WsHeartbeatOptions.timeout). */
  heartbeatTimeout: number | false | undefined;
  queueMax: number;
  queuePolicy: WsQueuePolicy;
  timeout: number;
  /** The welcome's name when the client resumes sessions, else false. */
  resumeWelcome: string | false;
}

const POLICIES: readonly WsQueuePolicy[] = ['drop-oldest', 'drop-newest', 'error'];

/** Defaults applied and every value checked once, with a sentence naming the option. */
export function resolveClientOptions(options: WsClientOptions): ResolvedClientOptions {
  const reconnect = options.reconnect === false ? false : { ...RECONNECT_DEFAULTS, ...(options.reconnect === true ? {} : options.reconnect) };
  if (reconnect) {
    positive('reconnect.minDelay', reconnect.minDelay);
    positive('reconnect.maxDelay', reconnect.maxDelay);
    if (!(reconnect.factor >= 1)) throw new TypeError(`WsClient: reconnect.factor must be a number >= 1 (got ${String(reconnect.factor)})`);
    if (!(reconnect.jitter >= 0 && reconnect.jitter <= 1)) throw new TypeError(`WsClient: reconnect.jitter must be between 0 and 1 (got ${String(reconnect.jitter)})`);
    if (!(reconnect.retries >= 0)) throw new TypeError(`WsClient: reconnect.retries must be a number >= 0 (got ${String(reconnect.retries)})`);
  }
  const heartbeat = options.heartbeat === false ? false : (options.heartbeat ?? {});
  const interval = heartbeat === false ? false : (heartbeat.interval ?? 25_000);
  if (interval !== false) positive('heartbeat.interval', interval);
  const heartbeatTimeout = heartbeat === false ? false : heartbeat.timeout;
  if (typeof heartbeatTimeout === 'number') positive('heartbeat.timeout', heartbeatTimeout);
  const queueMax = options.queue?.max ?? 1000;
  if (!(Number.isInteger(queueMax) && queueMax >= 0)) throw new TypeError(`WsClient: queue.max must be an integer >= 0 (got ${String(queueMax)})`);
  const queuePolicy = options.queue?.policy ?? 'drop-oldest';
  if (!POLICIES.includes(queuePolicy)) throw new TypeError(`WsClient: queue.policy must be one of ${POLICIES.join(', ')} (got ${String(queuePolicy)})`);
  const timeout = options.timeout ?? 10_000;
  positive('timeout', timeout);
  const resume = options.resume ?? false;
  const resumeWelcome = resume === false ? false : resume === true ? 'ws.welcome' : resume.welcome ?? 'ws.welcome';
  if (resumeWelcome !== false && (typeof resumeWelcome !== 'string' || resumeWelcome.length === 0)) {
    throw new TypeError(`WsClient: resume must be true, false or { welcome: name } (got ${JSON.stringify(resume)})`);
  }
  return { reconnect, heartbeatInterval: interval, heartbeatTimeout, queueMax, queuePolicy, timeout, resumeWelcome };
}

function positive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`WsClient: ${name} must be a number of milliseconds > 0 (got ${String(value)})`);
}

/**
 * An absolute ws:// or wss:// URL. In a page, a path (`'/ws'`) or an http(s) URL is taken relative to the page,
 * with the scheme the page's own implies.
 */
export function resolveUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const resolved = new URL(String(url), base);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:') throw new TypeError(`WsClient: the URL must be ws://, wss://, http(s):// or a path in a page (got ${String(url)})`);
  return resolved.toString();
}
