import { Redis } from 'ioredis';

/** What Redis carried while an observer counted: publications per channel, and the channels' subscribers. */
export interface RedisCount {
  /** Dispatch messages published (presence announcements left out), per channel. */
  published: Record<string, number>;
  /** Each of those channels' subscribers when counting stopped (the nodes; a pattern subscriber is not one). */
  subscribers: Record<string, number>;
  /** Redis' own CPU time over the count (user + system), in µs. */
  cpuUs: number;
}

/**
 * Counts what Redis carries under a key prefix, from a subscriber of the bench's own: PSUBSCRIBE `<prefix>:*`, so
 * every publication reaches it once, whichever channel. Messages are counted only between `start()` and `stop()`
 * (the measuring window). Redis writes each publication to every subscriber of its channel, so the copies it sent
 * to the nodes are the publications times their channel's NUMSUB. The observer itself costs Redis one more copy per
 * publication, in every design alike.
 */
export class RedisObserver {
  private counting = false;
  private readonly published = new Map<string, number>();
  private cpuAtStart = 0;

  private constructor(
    private readonly subscriber: Redis,
    private readonly commands: Redis,
    private readonly prefix: string,
  ) {}

  static async connect(url: string, prefix: string): Promise<RedisObserver> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false };
    const observer = new RedisObserver(new Redis(url, options), new Redis(url, options), prefix);
    await Promise.all([observer.subscriber.connect(), observer.commands.connect()]);
    const presence = Buffer.from('"op":"presence"');
    // Buffers, not strings: the payload is only searched for the presence marker, never decoded.
    observer.subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      if (!observer.counting || message.includes(presence)) return;
      const name = channel.toString();
      observer.published.set(name, (observer.published.get(name) ?? 0) + 1);
    });
    await observer.subscriber.psubscribe(`${prefix}:*`);
    return observer;
  }

  async start(): Promise<void> {
    this.published.clear();
    this.cpuAtStart = await this.redisCpuUs();
    this.counting = true;
  }

  /**
   * Stops counting once Redis has sent this observer everything it published before (a marker published on a
   * channel of its own comes back after them), and reads the subscriber counts.
   */
  async stop(): Promise<RedisCount> {
    const marker = `${this.prefix}:observer-fence`;
    const fenced = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      const onMessage = (_pattern: Buffer, channel: Buffer) => {
        if (channel.toString() !== marker) return;
        clearTimeout(timer);
        this.subscriber.off('pmessageBuffer', onMessage);
        resolve();
      };
      this.subscriber.on('pmessageBuffer', onMessage);
    });
    await this.commands.publish(marker, '');
    await fenced;
    this.counting = false;
    this.published.delete(marker);
    const cpuUs = (await this.redisCpuUs()) - this.cpuAtStart;
    const channels = [...this.published.keys()];
    const reply = channels.length ? ((await this.commands.pubsub('NUMSUB', ...channels)) as Array<string | number>) : [];
    const subscribers = Object.fromEntries(channels.map((channel, i) => [channel, Number(reply[2 * i + 1])]));
    return { published: Object.fromEntries(this.published), subscribers, cpuUs };
  }

  close(): void {
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  /** `INFO cpu`: Redis' user + system CPU time so far. */
  private async redisCpuUs(): Promise<number> {
    const info = await this.commands.info('cpu');
    const seconds = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
  }
}
