import { Inject, Injectable } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { SessionRegistry } from '../session/session.registry.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { SpaceCounters } from './space-counters.js';

export type WsCounterName = Exclude<keyof SpaceCounters, 'connections' | 'users' | 'queued' | 'averageSizeIn' | 'averageSizeOut'>;

/** The counters of this node, totals and per space. */
@Injectable()
export class WsMetrics {
  readonly total = new SpaceCounters();
  private readonly spaces = new Map<string, SpaceCounters>();

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessions: SessionRegistry,
  ) {
    for (const space of Object.keys(options.spaces)) this.spaces.set(space, new SpaceCounters());
  }

  space(name: string): SpaceCounters {
    return this.spaces.get(name)!;
  }

  count(space: string, counter: WsCounterName, by = 1): void {
    this.total[counter] += by;
    this.spaces.get(space)![counter] += by;
  }

  /** One inbound frame: both counters of the space and of the total, with one lookup (it runs per frame). */
  countIn(space: string, bytes: number): void {
    const counters = this.spaces.get(space)!;
    counters.messagesIn++;
    counters.bytesIn += bytes;
    this.total.messagesIn++;
    this.total.bytesIn += bytes;
  }

  /** For events that belong to no space (a forged cluster packet). */
  countTotal(counter: WsCounterName, by = 1): void {
    this.total[counter] += by;
  }

  /**
   * A copy of every counter: `{ total, spaces: { name: counters } }`. Connections and users are read from the
   * session indexes at this moment rather than kept as gauges that could drift.
   */
  snapshot(): { total: SpaceCounters; spaces: Record<string, SpaceCounters> } {
    const spaces: Record<string, SpaceCounters> = {};
    const total = { ...this.total, connections: 0, users: 0, queued: 0 };
    for (const [name, counters] of this.spaces) {
      const index = this.sessions.find(name)!;
      let queued = 0;
      for (const session of index.sessions.values()) queued += session.queued;
      spaces[name] = withAverages({ ...counters, connections: index.sessions.size, users: index.users.size, queued });
      total.connections += index.sessions.size;
      total.users += index.users.size;
      total.queued += queued;
    }
    return { total: withAverages(total), spaces };
  }
}

function withAverages(counters: SpaceCounters): SpaceCounters {
  counters.averageSizeIn = counters.messagesIn ? Math.round(counters.bytesIn / counters.messagesIn) : 0;
  counters.averageSizeOut = counters.messagesOut ? Math.round(counters.bytesOut / counters.messagesOut) : 0;
  return counters;
}
