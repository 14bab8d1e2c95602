import { Inject, Injectable } from '@nestjs/common';
import { WsReplyError } from '../errors/ws-reply.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { defaultBurst } from '../options/ws-options.defaults.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { WsCloseCode, WsCode } from '../protocol/ws-code.js';
import type { MessageEntry } from '../registry/registry-entries.js';
import type { WsSession } from '../session/ws-session.js';
import { TokenBucket } from '../utils/token-bucket.util.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';

export type SessionVerdict = 'ok' | 'limited' | 'flood';

/** What becomes of an inbound frame: read it, refuse it (over the limits), or ignore it (a flooding session's). */
export type FrameAdmission = 'read' | 'limited' | 'ignored';

/**
 * The inbound rate limits: the module-wide one per session (messages, and bytes when budgeted), and each message's
 * own, per session or per user.
 */
@Injectable()
export class InboundLimiter {
  private readonly perUser = new Map<string, TokenBucket>();

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly metrics: WsMetrics,
  ) {}

  get enabled(): boolean {
    return this.options.rateLimit !== false;
  }

  /**
   * Admits one inbound frame before anything reads it, heartbeats and malformed ones included: a flood is a flood
   * whatever it carries, and a frame over the limit is never parsed. Over the limits it is `limited` (counted; the
   * message path answers it 429, a raw space drops it). A session that keeps flooding after that is cut off
   * (1008): replies alone would only feed it. Its later frames are `ignored`, and the close waits for this turn of
   * the event loop, so the replies to the messages accepted before the flood (still in their handlers' promise
   * chains) leave ahead of the close frame.
   */
  admit(session: WsSession, bytes: number): FrameAdmission {
    if (session.flooded) return 'ignored';
    if (!this.enabled) return 'read';
    const verdict = this.admitFrame(session, bytes);
    if (verdict === 'ok') return 'read';
    this.metrics.count(session.space, 'rateLimited');
    if (verdict === 'limited') return 'limited';
    session.flooded = true;
    setImmediate(() => session.transport.close(WsCloseCode.POLICY_VIOLATION, 'rate limit exceeded'));
    return 'ignored';
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

  /** Admits one call of a message that declares its own `rate`; over it, the call is counted and refused with 429. */
  checkMessage(session: WsSession, entry: MessageEntry): void {
    if (this.admitMessage(session, entry)) return;
    this.metrics.count(session.space, 'rateLimited');
    throw new WsReplyError(WsCode.RATE_LIMITED, 'rate limited');
  }

  /** Counts one call of a message that declares its own `rate`; false when it is over. */
  admitMessage(session: WsSession, entry: MessageEntry, now = Date.now()): boolean {
    const rate = entry.options.rate!;
    const burst = rate.burst ?? defaultBurst(rate.rate);
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
