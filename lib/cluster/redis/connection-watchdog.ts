import type { Socket } from 'node:net';

/** What the watchdog needs of an ioredis client. */
export interface WatchedClient {
  readonly status: string;
  readonly stream?: Socket;
  ping(): Promise<unknown>;
}

interface Watch {
  /** The PING sent at the last tick and not answered yet. */
  awaiting: object | undefined;
  /** Ticks in a row the connection spent in the handshake. */
  handshaking: number;
}

/**
 * Notices a Redis connection that stopped answering while staying open: a Redis stopped (SIGSTOP), stuck in a
 * swap storm or a paused VM, or a link cut without a FIN. TCP sees nothing wrong there, so ioredis would wait
 * forever and every command behind it with it. Each tick PINGs every ready connection; one whose PING of the
 * previous tick is still unanswered, or that sat in the handshake for two ticks, is reset, and ioredis reconnects
 * through its retry strategy (the subscriber resubscribes by itself once Redis answers).
 */
export class ConnectionWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private readonly watches = new Map<WatchedClient, Watch>();

  constructor(
    private readonly periodMs: number,
    private readonly onSilent: (client: WatchedClient, why: string) => void,
  ) {}

  start(clients: WatchedClient[]): void {
    for (const client of clients) this.watch(client);
    this.timer = setInterval(() => this.tick(), this.periodMs);
    this.timer.unref();
  }

  /** Watches one more connection (one made after `start`, or a shard's that appears with the cluster's layout). */
  watch(client: WatchedClient): void {
    if (!this.watches.has(client)) this.watches.set(client, { awaiting: undefined, handshaking: 0 });
  }

  /** Stops watching a connection that is closed for good. */
  unwatch(client: WatchedClient): void {
    this.watches.delete(client);
  }

  stop(): void {
    clearInterval(this.timer);
    this.watches.clear();
  }

  private tick(): void {
    for (const [client, watch] of this.watches) {
      if (client.status === 'connect') {
        watch.awaiting = undefined;
        if (++watch.handshaking >= 2) this.reset(client, watch, 'the handshake got no answer');
        continue;
      }
      watch.handshaking = 0;
      if (client.status !== 'ready') {
        watch.awaiting = undefined; // closed or reconnecting: ioredis is on it
        continue;
      }
      const previous = watch.awaiting;
      if (previous !== undefined) {
        // Checked after the poll phase, so a PONG that arrived while the event loop was busy still counts.
        setImmediate(() => {
          if (watch.awaiting === previous) this.reset(client, watch, `no answer to a PING for ${this.periodMs} ms`);
        });
        continue;
      }
      const token = {};
      watch.awaiting = token;
      client.ping().then(
        () => {
          if (watch.awaiting === token) watch.awaiting = undefined;
        },
        () => undefined, // a closed connection: the next tick sees its status
      );
    }
  }

  private reset(client: WatchedClient, watch: Watch, why: string): void {
    watch.awaiting = undefined;
    watch.handshaking = 0;
    const stream = client.stream;
    if (!stream || stream.destroyed) return;
    this.onSilent(client, why);
    // A reset rather than a graceful close: the peer is not answering, so waiting for its FIN would only linger.
    stream.resetAndDestroy();
  }
}
