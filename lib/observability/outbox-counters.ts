import type { OutboxObserver } from '../queue/session-outbox.js';
import type { WsMetrics } from './ws-metrics.js';

/**
 * Counts what the outboxes of a space's sessions do straight into that space's counters and the total: built once
 * per space, so a written frame costs four increments and no lookup.
 */
export function outboxCounters(metrics: WsMetrics, space: string): OutboxObserver {
  const counters = metrics.space(space);
  const total = metrics.total;
  return {
    sent(bytes) {
      counters.messagesOut++;
      counters.bytesOut += bytes;
      total.messagesOut++;
      total.bytesOut += bytes;
    },
    dropped: (count) => metrics.count(space, 'dropped', count),
    slowClosed: () => metrics.count(space, 'slowClosed'),
    writeTimedOut: () => metrics.count(space, 'writeTimeouts'),
  };
}
