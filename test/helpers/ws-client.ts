import type { Delivery, WsSendOptions } from 'nestjs-ws-spaces';
import { WebSocket, type ClientOptions } from 'ws';

export interface Envelope {
  code: number;
  name: string;
  data: any;
  text: string;
  time: number;
  id?: string | number;
}

/** The message name `fence()` sends by default; no fixture handles it. */
export const FENCE = 'test.fence';

/**
 * A real `ws` client that turns incoming frames into a cursor: `next()` resolves with the next envelope,
 * in order, and fails the test after a timeout instead of hanging it.
 */
export class TestClient {
  readonly frames: Buffer[] = [];
  readonly received: Envelope[] = [];
  private readonly waiters: Array<() => void> = [];
  /** Received and not yet taken by next()/nextWhere(). */
  private readonly pending: Envelope[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private fences = 0;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.frames.push(data);
      try {
        this.received.push(JSON.parse(data.toString()));
      } catch {
        this.received.push({ code: -1, name: '<unparsable>', data: data.toString(), text: '', time: 0 });
      }
      this.pending.push(this.received[this.received.length - 1]);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.waiters.splice(0).forEach((wake) => wake());
      }),
    );
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a request and resolves with the reply carrying its id. */
  async request(name: string, data?: unknown, id: string | number = `r${Math.random().toString(36).slice(2)}`): Promise<Envelope> {
    this.send({ name, data, id });
    return this.nextWhere((e) => e.id === id);
  }

  /** The next envelope not yet consumed. */
  next(timeoutMs = 3000): Promise<Envelope> {
    return this.nextWhere(() => true, timeoutMs);
  }

  /** The first pending envelope that matches; the ones it skips stay pending for later calls. */
  async nextWhere(match: (e: Envelope) => boolean, timeoutMs = 3000): Promise<Envelope> {
    const at = await this.waitFor(match, timeoutMs);
    return this.pending.splice(at, 1)[0];
  }

  /**
   * Everything received before the first envelope that matches (consumed with it). Per-session order is FIFO, so
   * when the match is a marker sent after the action under test, what this returns is all the action produced.
   */
  async takeUntil(match: (e: Envelope) => boolean, timeoutMs = 3000): Promise<Envelope[]> {
    const at = await this.waitFor(match, timeoutMs);
    return this.pending.splice(0, at + 1).slice(0, at);
  }

  /**
   * A fence: sends a request and resolves with every envelope received before its reply, instead of waiting for a
   * time window. The reply leaves the server after everything already handed to this session's send queue, so an
   * absence check is exact for any send that completed (its Delivery, or the reply of the request that caused it,
   * awaited) before the fence. The default name is unknown to every fixture: its reply is a 404 carrying the id.
   * For a message this client sent without an id, fence with that same message (same path, handled after it).
   */
  fence(name = FENCE, data?: unknown, timeoutMs = 3000): Promise<Envelope[]> {
    const id = `fence-${++this.fences}`;
    this.send({ name, data, id });
    return this.takeUntil((e) => e.id === id, timeoutMs);
  }

  /** Index in `pending` of the first envelope that matches, once one arrived; fails after `timeoutMs`. */
  private async waitFor(match: (e: Envelope) => boolean, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.pending.findIndex(match);
      if (at >= 0) return at;
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(code?: number): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close(code);
    return this.closed;
  }
}

const open = new Set<TestClient>();

/** Connects and waits for the handshake; rejects with the HTTP status when the upgrade is refused. */
export function connect(url: string, options?: ClientOptions): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    socket.once('open', () => {
      open.add(client);
      resolve(client);
    });
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    socket.once('error', reject);
  });
}

/** Terminates every client the test opened; call it in afterEach. */
export async function closeAllClients(): Promise<void> {
  const clients = [...open];
  open.clear();
  for (const client of clients) client.socket.terminate();
  await Promise.all(clients.map((c) => c.closed));
}

let sentFences = 0;

/**
 * A fence the server sends: `send` delivers the marker (numbered, so fences never mix) to every client given, and
 * this resolves with what each received before it. Per-session order is FIFO locally, and one node's packets reach
 * another node in the order it published them, so sending the fence the way the action under test was sent (the
 * same node, after the action completed) makes an absence check exact.
 */
export async function fenceVia(send: (name: string, data: { n: number }) => Promise<Delivery>, clients: TestClient[], timeoutMs = 3000): Promise<Envelope[][]> {
  const n = ++sentFences;
  const delivery = await send(FENCE, { n });
  if (delivery.failed !== 0 || delivery.hit + delivery.nodes === 0) throw new Error(`the fence was not delivered: ${JSON.stringify(delivery)}`);
  return Promise.all(clients.map((client) => client.takeUntil((e) => e.name === FENCE && e.data?.n === n, timeoutMs)));
}

/**
 * A fence pushed to one session: in the low lane, which is served last, waiting for room (`block`), so it
 * arrives after every frame queued for the session when it was sent, whatever their lane. Through another node
 * when `sid` is a session of that node (a remote push carries no lane: it is delivered as a normal message).
 */
export async function pushFence(
  broker: { push(sid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> },
  sid: string,
  client: TestClient,
  timeoutMs = 3000,
): Promise<Envelope[]> {
  const [received] = await fenceVia((name, data) => broker.push(sid, name, data, { priority: 'low', queuePolicy: 'block' }), [client], timeoutMs);
  return received;
}
