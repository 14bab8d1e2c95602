import { Logger } from '@nestjs/common';
import { type RedisOptions, ServerRedis } from '@nestjs/microservices';
import { BurstLogger } from '../burst-logger.js';
import { verifyPacket } from '../packet-signature.js';
import { ConnectionWatchdog, type WatchedClient } from './connection-watchdog.js';

type RedisClient = WatchedClient & {
  publish(channel: string, message: string): Promise<number>;
  options: { enableOfflineQueue?: boolean; commandTimeout?: number };
};

export interface RedisDispatchSettings {
  /** Larger messages are refused before they are parsed. */
  maxPacketBytes: number;
  /** How long a command may wait for Redis; paces the watchdog too. */
  publishTimeout: number;
  /** With it, every message must be signed (`signPacket`); others are refused before they are parsed. */
  secret: string | undefined;
  /** Called for each message refused before it reached the dispatcher. */
  onRefused: (why: string) => void;
}

/**
 * Nest's Redis transport server, owned by WsModule, with the defaults it needs for dispatch fixed:
 * - it reconnects forever, with exponential backoff and jitter (Nest's stops for good unless `retryAttempts` is
 *   set, which would silently turn a node single-node after one Redis restart);
 * - its publisher never queues commands while Redis is away (ioredis' offline queue is unbounded and would hide
 *   the loss), never waits on Redis past the publish timeout, and never re-sends a command after a reconnect (a
 *   publish already counted as failed must not arrive late): a publish during an outage fails and is counted;
 * - a connection that stops answering while staying open is reset and reconnected (`ConnectionWatchdog`);
 * - connection errors are logged once per burst, not once per retry;
 * - every message is an event: a packet carrying an `id` never makes this node publish a reply;
 * - an oversize message, and with a secret an unsigned or wrongly signed one, is refused before it is parsed.
 */
export class RedisDispatchServer extends ServerRedis {
  private readonly errors = new BurstLogger(new Logger('WsCluster'));
  private readonly watchdog: ConnectionWatchdog;

  constructor(
    options: Required<RedisOptions>['options'],
    private readonly settings: RedisDispatchSettings,
  ) {
    super({ ...options, autoResendUnfulfilledCommands: false } as Required<RedisOptions>['options']);
    const period = Math.min(5_000, Math.max(500, settings.publishTimeout));
    this.watchdog = new ConnectionWatchdog(period, (client, why) =>
      this.errors.warn(`Redis ${client === this.subClient ? 'subscriber' : 'publisher'} connection: ${why}; reconnecting`),
    );
  }

  override createRetryStrategy(times: number): undefined | number {
    if (this.isManuallyClosed) return undefined;
    const backoff = Math.min(2_000, 50 * 2 ** Math.min(times, 10));
    return Math.round(backoff / 2 + Math.random() * (backoff / 2));
  }

  override async listen(callback: (err?: unknown) => void): Promise<void> {
    await super.listen((err?: unknown) => {
      const pub = this.pubClient as RedisClient | undefined;
      if (pub) {
        pub.options.enableOfflineQueue = false;
        // Every command of the publisher settles: one Redis never answers is rejected, not left pending.
        pub.options.commandTimeout = this.settings.publishTimeout;
      }
      if (this.subClient && pub && !this.isManuallyClosed) this.watchdog.start([this.subClient as WatchedClient, pub]);
      callback(err);
    });
  }

  override async close(): Promise<void> {
    this.watchdog.stop();
    await super.close();
  }

  /**
   * Nest's start binds the subscriptions only after both connections came up the first time; a Redis that is
   * down at boot would leave a node that reconnects but never subscribes. Here the node boots anyway and
   * subscribes as soon as Redis answers.
   */
  override start(callback?: (err?: unknown) => void): void {
    const sub = this.subClient as unknown as { connect(): Promise<void>; once(event: 'ready', cb: () => void): void };
    const pub = this.pubClient as unknown as { connect(): Promise<void> };
    void Promise.all([sub.connect(), pub.connect()]).then(
      () => {
        this.bindEvents(this.subClient, this.pubClient);
        callback?.();
      },
      (err: Error) => {
        this.errors.warn(`Redis is not reachable yet (${err.message}); dispatch between nodes starts when it is`);
        sub.once('ready', () => this.bindEvents(this.subClient, this.pubClient));
        callback?.();
      },
    );
  }

  /**
   * Every message is handled as an event. Nest's own handling would treat one carrying an `id` as a request and
   * publish a reply to it: a forger could make every node publish once per forged packet.
   */
  override async handleMessage(channel: string, buffer: string): Promise<unknown> {
    if (Buffer.byteLength(buffer) > this.settings.maxPacketBytes) {
      this.settings.onRefused('larger than the largest packet');
      return undefined;
    }
    let text = buffer;
    if (this.settings.secret !== undefined) {
      const body = verifyPacket(this.settings.secret, buffer);
      if (body === undefined) {
        this.settings.onRefused('unsigned or wrongly signed');
        return undefined;
      }
      text = body;
    }
    const packet = (await this.deserializer.deserialize(this.parseMessage(text), { channel })) as { data?: unknown };
    const handler = this.getHandlerByPattern(channel);
    return handler?.(packet.data);
  }

  /** Whatever a handler throws is logged once per burst: messages come from anyone who can publish to Redis. */
  override handleError(error: unknown): void {
    this.errors.warn(`Redis message handling failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** PUBLISH through the transport's own publisher; resolves with how many subscribers got it. */
  publish(channel: string, payload: string): Promise<number> {
    const pub = this.pubClient as RedisClient | undefined;
    if (!pub) return Promise.reject(new Error('Redis transport not started'));
    // ioredis would write a PUBLISH during the handshake too (it is allowed while Redis loads), where it waits on
    // a Redis that has not answered yet: fail it at once instead, as while disconnected.
    if (pub.status !== 'ready') return Promise.reject(new Error(`Redis is not connected (${pub.status})`));
    return pub.publish(channel, payload);
  }

  override registerErrorListener(client: { on(event: 'error', cb: (err: Error) => void): void }): void {
    client.on('error', (err) => this.errors.warn(`Redis: ${err.message}`));
  }

  override registerEndListener(client: { on(event: 'end', cb: () => void): void }): void {
    client.on('end', () => undefined); // only on close: the retry strategy never gives up
  }
}
