import type { ProtocolName } from '../protocols/index.js';
import type { HistogramData } from './histogram.js';

/** Times are monotonic microseconds (see clock.ts), shared by every process on the machine. */
export type WorkerRequest =
  | {
      op: 'connect';
      url: string;
      protocol: ProtocolName;
      count: number;
      /** Global index of the first connection: group membership is derived from it. */
      firstIndex: number;
      /**
       * A fan-out publisher is not a subscriber: its own copies pace it and are not counted. A witness (cluster
       * fan-out, on the other node) neither: its copies pace the publisher too, so no node falls behind unseen.
       */
      role: 'peer' | 'publisher' | 'witness';
      /** Which of the scenario's servers (nodes) this connection goes to; counts are kept per node. */
      node?: number;
      /**
       * Source addresses to spread connections over (loopback: 127.0.0.x), past one address' ephemeral ports:
       * connection i (global index) uses `localAddresses[floor(i / 25,000)]`.
       */
      localAddresses?: string[];
      /** With a size, connection i joins group `g<floor(i / size)>` and i % size === 0 publishes to it. */
      groupSize?: number;
      /** Connection i logs in as user `u<i>` (the module's bench server: `login` → `loggedIn`). */
      login?: boolean;
      concurrency: number;
      timeoutMs: number;
    }
  | { op: 'echo'; startAt: number; windowFrom: number; endAt: number; maxPerConn: number; text: string }
  | {
      op: 'fanout';
      deadlineAt: number;
      expectedPerConn: number;
      /** `burst` > 1: each publish asks the server for that many broadcasts in one turn (`burst` → n × `tick`). */
      publish?: { startAt: number; messages: number; window: number; burst: number; text: string };
    }
  | { op: 'groupcast'; startAt: number; windowFrom: number; endAt: number; graceMs: number; maxPerPublisher: number; text: string }
  | {
      /**
       * Every logged-in connection starts one push and passes on each push it receives: connection i sends
       * `pushUser` to user `u<(i + stride) % users>` (the same place on the next node), until `endAt`.
       */
      op: 'pushRing';
      startAt: number;
      windowFrom: number;
      endAt: number;
      graceMs: number;
      users: number;
      stride: number;
      text: string;
    }
  | { op: 'reset' };

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError?: string;
}

/** What every load phase reports; counts only include messages stamped inside the measuring window. */
export interface LoadResult {
  count: number;
  /** Everything received in the phase, warm-up and stragglers included: the divisor of server CPU per message. */
  all: number;
  histogram: HistogramData;
  /** When the first message of the phase left (fan-out publisher only). */
  firstSentAt?: number;
  /** When the last counted message arrived. */
  lastAt: number;
  /** Expected and not received by the deadline (fan-out). */
  missing: number;
  /** Error replies and connections the server closed mid-run. */
  errors: number;
  /** Fan-out: per node, the subscribers this worker holds there and the deliveries they received. */
  byNode?: Array<{ subscribers: number; received: number }>;
  /** Fan-out publisher: publishes sent (each asks for `burst` broadcasts). pushRing: pushes sent. */
  sent?: number;
  /** This worker's CPU over the phase in % of one core: near 100, the generator itself was the limit. */
  cpuPct: number;
}
