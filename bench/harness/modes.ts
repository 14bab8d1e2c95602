import { cpus } from 'node:os';

/** The size of every scenario in one mode. Each count is an upper bound; each duration a deadline. */
export interface BenchMode {
  name: 'full' | 'quick' | 'smoke';
  runs: number;
  workers: number;
  /** Length of the text field in every payload, so frames are a realistic ~100-200 bytes. */
  payloadChars: number;
  echo: { connections: number; durationMs: number; warmupMs: number; maxPerConn: number };
  fanout: { subscribers: number; messages: number; window: number; timeoutMs: number };
  groupcast: { connections: number; groupSize: number; durationMs: number; warmupMs: number; maxPerPublisher: number };
  idle: { connections: number; settleMs: number };
  /** Fan-out with `burst` broadcasts per event-loop turn: `messages` publishes, each a burst, `window` in flight. */
  fanoutBurst: { subscribers: number; messages: number; burst: number; window: number; timeoutMs: number };
  /**
   * Cross-node pushUser (`cluster-push`): `connections` users spread over the nodes, each passing on every push it
   * receives to a user on the next node, for `durationMs` (the first `warmupMs` not counted), once per routing design.
   */
  clusterPush: { connections: number; durationMs: number; warmupMs: number; graceMs: number };
  /** Past this box: fan-out to many subscribers, and the idle-memory curve at growing connection counts. */
  scale: {
    fanout: { subscribers: number; messages: number; window: number; timeoutMs: number };
    idleCurve: number[];
    settleMs: number;
    /** Deadline for opening the connections of one curve step. */
    connectTimeoutMs: number;
  };
}

// On a 2-core box the generator and the server share the cores anyway; more workers than cores only adds
// switching. Two is the floor so no single client process is the bottleneck.
const workers = Math.max(2, Math.min(4, cpus().length));

export const MODES: Record<BenchMode['name'], BenchMode> = {
  full: {
    name: 'full',
    runs: 3,
    workers,
    payloadChars: 64,
    echo: { connections: 100, durationMs: 5_000, warmupMs: 1_000, maxPerConn: 1_000_000 },
    fanout: { subscribers: 1_000, messages: 500, window: 16, timeoutMs: 30_000 },
    groupcast: { connections: 1_000, groupSize: 5, durationMs: 5_000, warmupMs: 1_000, maxPerPublisher: 1_000_000 },
    idle: { connections: 10_000, settleMs: 1_000 },
    fanoutBurst: { subscribers: 1_000, messages: 50, burst: 10, window: 2, timeoutMs: 30_000 },
    clusterPush: { connections: 1_000, durationMs: 5_000, warmupMs: 1_000, graceMs: 300 },
    scale: {
      fanout: { subscribers: 10_000, messages: 50, window: 4, timeoutMs: 60_000 },
      idleCurve: [1_000, 10_000, 50_000],
      settleMs: 1_000,
      connectTimeoutMs: 240_000,
    },
  },
  quick: {
    name: 'quick',
    runs: 1,
    workers,
    payloadChars: 64,
    echo: { connections: 50, durationMs: 1_500, warmupMs: 500, maxPerConn: 1_000_000 },
    fanout: { subscribers: 300, messages: 100, window: 16, timeoutMs: 10_000 },
    groupcast: { connections: 300, groupSize: 5, durationMs: 1_500, warmupMs: 500, maxPerPublisher: 1_000_000 },
    idle: { connections: 1_000, settleMs: 300 },
    fanoutBurst: { subscribers: 300, messages: 10, burst: 10, window: 2, timeoutMs: 10_000 },
    clusterPush: { connections: 300, durationMs: 2_500, warmupMs: 500, graceMs: 300 },
    scale: {
      fanout: { subscribers: 2_000, messages: 20, window: 4, timeoutMs: 20_000 },
      idleCurve: [500, 1_000, 2_000],
      settleMs: 300,
      connectTimeoutMs: 60_000,
    },
  },
  // A does-it-run check for the test suite: tiny, and the figures mean nothing.
  smoke: {
    name: 'smoke',
    runs: 1,
    workers: 2,
    payloadChars: 16,
    echo: { connections: 10, durationMs: 250, warmupMs: 50, maxPerConn: 100_000 },
    fanout: { subscribers: 20, messages: 20, window: 4, timeoutMs: 5_000 },
    groupcast: { connections: 20, groupSize: 5, durationMs: 250, warmupMs: 50, maxPerPublisher: 100_000 },
    idle: { connections: 40, settleMs: 50 },
    fanoutBurst: { subscribers: 20, messages: 2, burst: 10, window: 2, timeoutMs: 5_000 },
    clusterPush: { connections: 20, durationMs: 300, warmupMs: 50, graceMs: 200 },
    scale: { fanout: { subscribers: 30, messages: 4, window: 2, timeoutMs: 5_000 }, idleCurve: [20, 40], settleMs: 50, connectTimeoutMs: 20_000 },
  },
};
