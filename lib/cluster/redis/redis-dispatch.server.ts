import { Logger } from '@nestjs/common';
import { type RedisOptions, ServerRedis } from '@nestjs/microservices';
import { BurstLogger } from '../burst-logger.js';

type RedisClient = { publish(channel: string, message: string): Promise<number>; options: { enableOfflineQueue?: boolean } };

/**
 * Nest's Redis transport server, owned by WsModule, with the defaults it needs for dispatch fixed:
 * - it reconnects forever, with exponential backoff and jitter (Nest's stops for good unless `retryAttempts` is
 *   set, which would silently turn a node single-node after one Redis restart);
 * - its publisher never queues commands while Redis is away (ioredis' offline queue is unbounded and would hide
 *   the loss): a publish during an outage fails at once and is counted;
 * - connection errors are logged once per burst, not once per retry;
 * - an oversize message is refused before it is parsed.
 */
export class RedisDispatchServer extends ServerRedis {
  private readonly errors = new BurstLogger(new Logger('WsCluster'));

  constructor(
    options: Required<RedisOptions>['options'],
    private readonly maxPacketBytes: number,
    private readonly onOversize: () => void,
  ) {
    super(options);
  }

  override createRetryStrategy(times: number): undefined | number {
    if (this.isManuallyClosed) return undefined;
    const backoff = Math.min(2_000, 50 * 2 ** Math.min(times, 10));
    return Math.round(backoff / 2 + Math.random() * (backoff / 2));
  }

  override async listen(callback: (err?: unknown) => void): Promise<void> {
    await super.listen((err?: unknown) => {
      if (this.pubClient) (this.pubClient as unknown as RedisClient).options.enableOfflineQueue = false;
      callback(err);
    });
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

  override async handleMessage(channel: string, buffer: string, pub: never, pattern: string): Promise<unknown> {
    if (Buffer.byteLength(buffer) > this.maxPacketBytes) {
      this.onOversize();
      return undefined;
    }
    return super.handleMessage(channel, buffer, pub, pattern);
  }

  /** PUBLISH through the transport's own publisher; resolves with how many subscribers got it. */
  publish(channel: string, payload: string): Promise<number> {
    if (!this.pubClient) return Promise.reject(new Error('Redis transport not started'));
    return (this.pubClient as unknown as RedisClient).publish(channel, payload);
  }

  override registerErrorListener(client: { on(event: 'error', cb: (err: Error) => void): void }): void {
    client.on('error', (err) => this.errors.warn(`Redis: ${err.message}`));
  }

  override registerEndListener(client: { on(event: 'end', cb: () => void): void }): void {
    client.on('end', () => undefined); // only on close: the retry strategy never gives up
  }
}
