import { Inject, Injectable } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import type { MessageEntry } from '../registry/registry-entries.js';
import type { WsSession } from '../session/ws-session.js';
import { TokenBucket } from '../utils/token-bucket.util.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';

export type SessionVerdict = 'ok' | 'limited' | 'flood';

/**
 * The inbound rate limits: the module-wide one per session (messages, and bytes when budgeted), and each message's
 * own, per session or per user.
 */
@Injectable()
export class InboundLimiter {
  private readonly perUser = new Map<string, TokenBucket>();

  constructor(@Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions) {}

  get enabled(): boolean {
    return this.options.rateLimit !== false;
  }

  /**
   * Counts one inbound frame against the session's limits, before anything reads it: one message, and its bytes
   * when there is a byte budget. The verdict is the worse of the two; a session that keeps going past either is a
   * flood, whatever its frames contain.
   */
  admitFrame(session: WsSession, bytes: number, now = Date.now()): SessionVerdict {
    const limit = this.options.rateLimit;
    if (limit === false) return 'ok';
    session.inbound ??= new TokenBucket(limit.rate, limit.burst, now);
    const left = session.inbound.take(now);
    let verdict: SessionVerdict = left >= 0 ? 'ok' : -left > limit.closeAfter ? 'flood' : 'limited';
    if (limit.bytesPerSecond !== undefined) {
      session.inboundBytes ??= new TokenBucket(limit.bytesPerSecond, limit.bytesBurst, now);
      const bytesLeft = session.inboundBytes.take(now, bytes);
      if (bytesLeft < 0 && verdict !== 'flood') verdict = -bytesLeft > limit.bytesBurst ? 'flood' : 'limited';
    }
    return verdict;
  }

  /** Counts one call of a message that declares its own `rate`; false when it is over. */
  admitMessage(session: WsSession, entry: MessageEntry, now = Date.now()): boolean {
    const rate = entry.options.rate!;
    const burst = rate.burst ?? Math.max(1, Math.ceil(rate.rate));
    let bucket: TokenBucket | undefined;
    if (rate.per === 'user' && session.user !== undefined) {
      const key = `${entry.space}\0${entry.name}\0${session.user}`;
      bucket = this.perUser.get(key);
      if (!bucket) this.perUser.set(key, (bucket = new TokenBucket(rate.rate, burst, now)));
    } else {
      const buckets = (session.messageBuckets ??= new Map());
      bucket = buckets.get(entry.name);
      if (!bucket) buckets.set(entry.name, (bucket = new TokenBucket(rate.rate, burst, now)));
    }
    if (bucket.take(now) >= 0) return true;
    return false;
  }

  /** Forgets per-user buckets that have refilled, so the map does not grow with every user ever seen. */
  sweep(now = Date.now()): void {
    for (const [key, bucket] of this.perUser) if (bucket.isFull(now)) this.perUser.delete(key);
  }
}
