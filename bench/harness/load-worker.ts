import type { BenchLink } from '../protocols/client-protocol.interface.js';
import { protocols } from '../protocols/index.js';
import { nowUs, sleep, sleepUntil } from './clock.js';
import { Histogram } from './histogram.js';
import { PER_SOURCE_ADDRESS } from './scenario-kit.js';
import type { ConnectResult, LoadResult, WorkerRequest } from './worker-messages.js';

/**
 * One load-generator process, forked by the harness. It holds connections and runs the phase it is told to;
 * every loop in here ends on a count or a deadline, whichever comes first.
 */

interface Peer {
  link: BenchLink;
  group?: string;
  /** A fan-out publisher or witness: its ticks pace the publisher and are not counted as deliveries. */
  publisher: boolean;
  /** Which of the scenario's servers it is connected to. */
  node: number;
  /** Closed by `reset`: its close event, however late it comes, is not a server closing it mid-run. */
  retired?: boolean;
  /** The reply handler of the running phase (echo, join). */
  onReply?: (event: string, data: any) => void;
  /** A publisher's own copy of what it sent came back: the pacing signal. */
  onOwnTick?: () => void;
  /** The user it logged in as (`u<index>`), when it did. */
  user?: number;
  /** A subscriber's tick was counted (pushRing passes it on). */
  onTick?: () => void;
}

let peers: Peer[] = [];
let resetting = false;
let tally = freshTally();

function freshTally() {
  return { histogram: new Histogram(), count: 0, all: 0, lastAt: 0, from: -Infinity, to: Infinity, errors: 0, byNode: [] as number[] };
}

function onEvent(peer: Peer, event: string, data: any, failed: boolean): void {
  if (peer.retired) return; // a frame of a connection from an earlier run, still in flight
  if (failed) tally.errors++;
  if (event !== 'tick') return peer.onReply?.(event, data);
  if (peer.publisher) return peer.onOwnTick?.();
  tally.all++;
  tally.byNode[peer.node] = (tally.byNode[peer.node] ?? 0) + 1;
  const now = nowUs();
  const sentAt = data?.t;
  if (typeof sentAt === 'number' && sentAt >= tally.from && sentAt <= tally.to) {
    tally.histogram.record(now - sentAt);
    tally.count++;
    tally.lastAt = now;
  }
  peer.onTick?.();
}

async function connectOne(request: Extract<WorkerRequest, { op: 'connect' }>, index: number): Promise<void> {
  const { groupSize } = request;
  const peer: Peer = { link: undefined as unknown as BenchLink, publisher: request.role !== 'peer', node: request.node ?? 0 };
  if (groupSize) {
    peer.group = `g${Math.floor(index / groupSize)}`;
    peer.publisher = index % groupSize === 0;
  }
  const protocol = protocols[request.protocol];
  const sources = request.localAddresses;
  peer.link = await protocol.connect(
    request.url,
    {
      onEvent: (event, data, failed) => onEvent(peer, event, data, failed),
      onClose: () => {
        if (!resetting && !peer.retired) tally.errors++;
      },
    },
    request.timeoutMs,
    sources?.length ? sources[Math.min(sources.length - 1, Math.floor(index / PER_SOURCE_ADDRESS))] : undefined,
  );
  peers.push(peer);
  if (request.login) {
    peer.user = index;
    await ask(peer, 'login', { uid: `u${index}` }, 'loggedIn', request.timeoutMs);
  }
  if (peer.group !== undefined) await ask(peer, 'join', { group: peer.group }, 'joined', request.timeoutMs);
}

/** Sends one request and waits for the reply named `reply`, within `timeoutMs`. */
function ask(peer: Peer, event: string, data: unknown, reply: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${event}`)), timeoutMs);
    peer.onReply = (name) => {
      if (name !== reply) return;
      clearTimeout(timer);
      peer.onReply = undefined;
      resolve();
    };
    peer.link.send(event, data);
  });
}

async function connect(request: Extract<WorkerRequest, { op: 'connect' }>): Promise<ConnectResult> {
  const result: ConnectResult = { connected: 0, failed: 0 };
  let next = 0;
  const runner = async () => {
    while (next < request.count) {
      const index = request.firstIndex + next++;
      try {
        await connectOne(request, index);
        result.connected++;
      } catch (err) {
        result.failed++;
        result.firstError ??= String((err as Error)?.message ?? err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, runner));
  return result;
}

let phaseStart = { cpu: process.cpuUsage(), at: nowUs() };

function report(extra: Partial<LoadResult> = {}): LoadResult {
  const cpu = process.cpuUsage(phaseStart.cpu);
  const cpuPct = ((cpu.user + cpu.system) / (nowUs() - phaseStart.at)) * 100;
  return {
    cpuPct, count: tally.count, all: tally.all, histogram: tally.histogram.toData(), lastAt: tally.lastAt, missing: 0, errors: tally.errors, ...extra };
}

/** Closed loop per connection: one request in flight, the next leaves when the reply arrives. */
async function echo(request: Extract<WorkerRequest, { op: 'echo' }>): Promise<LoadResult> {
  const { windowFrom, endAt, maxPerConn, text } = request;
  await sleepUntil(request.startAt);
  let active = peers.length;
  await new Promise<void>((resolve) => {
    const safety = setTimeout(resolve, (endAt - nowUs()) / 1e3 + 2_000);
    const finished = () => {
      if (--active === 0) {
        clearTimeout(safety);
        resolve();
      }
    };
    for (const peer of peers) {
      let sent = 0;
      const fire = () => {
        sent++;
        peer.link.send('echo', { t: nowUs(), text });
      };
      peer.onReply = (event, data) => {
        if (event !== 'echo') return;
        tally.all++;
        const now = nowUs();
        if (data.t >= windowFrom && data.t <= endAt) {
          tally.histogram.record(now - data.t);
          tally.count++;
          tally.lastAt = now;
        }
        if (now < endAt && sent < maxPerConn) fire();
        else finished();
      };
      fire();
    }
    if (active === 0) resolve();
  });
  for (const peer of peers) peer.onReply = undefined;
  return report();
}

/**
 * The publisher keeps `window` publishes in flight, counting its own copies as the acknowledgement (and, in the
 * cluster scenario, a witness' copies on the other node: a publish counts as acknowledged once both have it, so
 * neither node is flooded past what it delivers); every other connection counts what it receives. With `burst`
 * > 1, a publish is one `burst` message the server answers with that many broadcasts in one turn. Ends when
 * every subscriber has all of them, or at the deadline.
 */
async function fanout(request: Extract<WorkerRequest, { op: 'fanout' }>): Promise<LoadResult> {
  const subscribers = peers.filter((peer) => !peer.publisher);
  const expected = subscribers.length * request.expectedPerConn;
  const byNode: Array<{ subscribers: number; received: number }> = [];
  for (const peer of subscribers) (byNode[peer.node] ??= { subscribers: 0, received: 0 }).subscribers++;
  let firstSentAt: number | undefined;
  let publishing = false;
  let sent = 0;
  const { publish } = request;
  const pacers = peers.filter((peer) => peer.publisher);
  const publisher = pacers[0];
  if (publish && publisher) {
    publishing = true;
    await sleepUntil(publish.startAt);
    const copies = pacers.map(() => 0);
    const acknowledged = () => Math.floor(Math.min(...copies) / publish.burst);
    const pump = () => {
      while (sent < publish.messages && sent - acknowledged() < publish.window) {
        const t = nowUs();
        firstSentAt ??= t;
        if (publish.burst > 1) publisher.link.send('burst', { n: publish.burst, seq: sent++, t, text: publish.text });
        else publisher.link.send('broadcast', { seq: sent++, t, text: publish.text });
      }
    };
    pacers.forEach((pacer, i) => {
      pacer.onOwnTick = () => {
        copies[i]++;
        if (acknowledged() >= publish.messages) publishing = false;
        else pump();
      };
    });
    pump();
  }
  while (nowUs() < request.deadlineAt && (tally.count < expected || publishing)) await sleep(5);
  for (const pacer of pacers) pacer.onOwnTick = undefined;
  byNode.forEach((entry, node) => (entry.received = tally.byNode[node] ?? 0));
  return report({ firstSentAt, missing: Math.max(0, expected - tally.count), byNode, ...(publish ? { sent } : {}) });
}

/** One publisher per group in a closed loop (its own copy releases the next); members count deliveries. */
async function groupcast(request: Extract<WorkerRequest, { op: 'groupcast' }>): Promise<LoadResult> {
  const { endAt, maxPerPublisher, text } = request;
  tally.from = request.windowFrom;
  tally.to = endAt;
  await sleepUntil(request.startAt);
  for (const peer of peers) {
    if (!peer.publisher || peer.group === undefined) continue;
    let sent = 0;
    const fire = () => {
      sent++;
      peer.link.send('groupcast', { group: peer.group, t: nowUs(), text });
    };
    peer.onOwnTick = () => {
      if (nowUs() < endAt && sent < maxPerPublisher) fire();
    };
    fire();
  }
  // Members here also receive from publishers in other workers: listen a little past the end for those in flight.
  await sleepUntil(endAt + request.graceMs * 1e3);
  for (const peer of peers) peer.onOwnTick = undefined;
  return report();
}

/**
 * Pushes passed around the users: each logged-in connection starts one, and passes on every push it receives to
 * the user `stride` places on (on the next node), so every hop is a pushUser from one node to another and as
 * many pushes are in flight as there are users. Counts what arrives; stops passing on at `endAt`, then listens
 * `graceMs` more for pushes still in flight.
 */
async function pushRing(request: Extract<WorkerRequest, { op: 'pushRing' }>): Promise<LoadResult> {
  const { endAt, users, stride, text } = request;
  tally.from = request.windowFrom;
  tally.to = endAt;
  let sent = 0;
  const starts: Array<() => void> = [];
  // Hooked before the start: another worker's timer may fire first, and a push arriving unhooked would be lost.
  for (const peer of peers) {
    if (peer.user === undefined) continue;
    const to = `u${(peer.user + stride) % users}`;
    const pass = () => {
      sent++;
      peer.link.send('pushUser', { to, t: nowUs(), text });
    };
    peer.onTick = () => {
      if (nowUs() < endAt) pass();
    };
    starts.push(pass);
  }
  await sleepUntil(request.startAt);
  for (const start of starts) start();
  await sleepUntil(endAt + request.graceMs * 1e3);
  for (const peer of peers) peer.onTick = undefined;
  return report({ sent });
}

async function reset(): Promise<Record<string, never>> {
  resetting = true;
  for (const peer of peers) {
    peer.retired = true;
    peer.link.close();
  }
  // Give the close handshakes a moment so the next server starts on a quiet machine; bounded, not awaited per socket.
  await sleep(Math.min(2_000, 50 + peers.length / 10));
  peers = [];
  tally = freshTally();
  resetting = false;
  return {};
}

const handlers = { connect, echo, fanout, groupcast, pushRing, reset } as const;

process.on('disconnect', () => process.exit(0));
process.on('message', (request: WorkerRequest & { id: number }) => {
  const handler = handlers[request.op] as (request: WorkerRequest) => Promise<object>;
  phaseStart = { cpu: process.cpuUsage(), at: nowUs() };
  handler(request).then(
    (result) => process.send?.({ id: request.id, result }),
    (err: Error) => process.send?.({ id: request.id, error: err?.stack ?? String(err) }),
  );
});
process.send?.({ op: 'ready' });
