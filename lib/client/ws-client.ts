import { backoffDelay } from './backoff.js';
import { frameCodec, type FrameCodec } from './client-codec.js';
import { WsDisconnectedError, WsQueueFullError, WsRequestError, WsTimeoutError } from './client-errors.js';
import { resolveClientOptions, resolveUrl, type ResolvedClientOptions, type WsClientOptions } from './client-options.js';
import type { ArgsOf, CommandData, CommandName, DataParam, MessageName, ReplyOf, WsAnyContract, WsContract } from './contract.js';
import { inbound, outbound, resolveEnvelope, type EnvelopeFields, type WsClientMessage } from './envelope-fields.js';
import { OfflineQueue, type QueuedSend } from './offline-queue.js';
import { bytesOf, OPEN, socketConstructor, type NodeSocketExtras, type WsSocketLike } from './socket.js';

/** @publicApi */
export type WsClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * A change of the connection's state. `code` and `reason` are the close that caused a `reconnecting` or `closed`;
 * `resumed` is set on `open` when the client asked to resume a session.
 * @publicApi
 */
export interface WsStateChange {
  state: WsClientState;
  code?: number;
  reason?: string;
  resumed?: boolean;
}

/** @publicApi */
export interface WsRequestOptions {
  /** ms; the client's `timeout` by default. */
  timeout?: number;
}

interface PendingRequest {
  readonly name: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Written to a socket: a drop now loses it (WsDisconnectedError); queued ones wait for the next connection. */
  sent: boolean;
}

/** Close codes the client reports for drops it decides itself (the socket's own close never came). */
const ABNORMAL = 1006;

/**
 * A client of a nestjs-ws-spaces server, for browsers and Node: requests with replies, pushes, reconnection with
 * backoff, an offline queue and heartbeats. `C` is the server's contract (see `npx nestjs-ws-spaces contract`);
 * without one, names and data are unchecked.
 *
 * ```ts
 * const ws = new WsClient('ws://localhost:3000/ws');
 * const { text } = await ws.request('demo.echo', { text: 'hi' });
 * ```
 * @publicApi
 */
export class WsClient<C extends WsContract = WsAnyContract> {
  private readonly url: string;
  private readonly settings: ResolvedClientOptions;
  private readonly codec: FrameCodec;
  private readonly fields: EnvelopeFields;
  private readonly queue: OfflineQueue;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly handlers = new Map<string, Set<(data: any, message: WsClientMessage<any>) => void>>();
  private readonly stateHandlers = new Set<(change: WsStateChange) => void>();
  private socket: WsSocketLike | undefined;
  private current: WsClientState = 'connecting';
  private nextId = 0;
  private attempt = 0;
  private closing = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastWrite = 0;
  private lastRead = 0;
  private closed: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  /** Option `resume`: the last welcome's token, spent by the next connection. */
  private resumeToken: string | undefined;
  /** The socket asked to resume: `open` waits for its welcome, which says whether it did. */
  private resuming = false;

  constructor(
    url: string | URL,
    private readonly options: WsClientOptions = {},
  ) {
    this.url = resolveUrl(url);
    this.settings = resolveClientOptions(options);
    this.codec = frameCodec(options.codec);
    this.fields = resolveEnvelope(options.envelope);
    this.queue = new OfflineQueue(this.settings.queueMax);
    // Started in a microtask, so that onState handlers added right after the constructor see 'connecting'.
    queueMicrotask(() => {
      if (this.closing) return;
      this.setState({ state: 'connecting' });
      void this.connect();
    });
  }

  /** The connection's state now. */
  get state(): WsClientState {
    return this.current;
  }

  /** Sends and queued while offline, not yet written. */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * Sends `name` with a fresh `id` and resolves with the reply's `data`. Rejects with `WsRequestError` (code ≠ 0),
   * `WsTimeoutError`, `WsDisconnectedError` (the connection dropped with the request in flight, or the client
   * closed) or `WsQueueFullError`. While disconnected the request waits in the offline queue; its timeout runs
   * from this call.
   */
  request<N extends MessageName<C>>(name: N, ...args: DataParam<ArgsOf<C, N>, [options?: WsRequestOptions]>): Promise<ReplyOf<C, N>> {
    const [data, options] = args as [unknown, WsRequestOptions | undefined];
    return new Promise<ReplyOf<C, N>>((resolve, reject) => {
      if (this.closing || this.current === 'closed') {
        reject(new WsDisconnectedError(name));
        return;
      }
      const id = ++this.nextId;
      const frame = outbound(this.fields, name, data, id);
      const request: PendingRequest = { name, resolve: resolve as (data: unknown) => void, reject, timer: undefined, sent: false };
      const timeout = options?.timeout ?? this.settings.timeout;
      this.pending.set(id, request);
      request.timer = setTimeout(() => {
        this.pending.delete(id);
        if (!request.sent) this.queue.remove((item) => item.frame === frame);
        reject(new WsTimeoutError(name, timeout));
      }, timeout);
      const settle = (error: Error) => {
        clearTimeout(request.timer);
        this.pending.delete(id);
        reject(error);
      };
      if (this.isOpen()) {
        this.write(frame);
        request.sent = true;
      } else {
        this.enqueue({ name, frame, discard: settle, onWrite: () => (request.sent = true) }, settle);
      }
    });
  }

  /**
   * Sends `name` without an `id`: no reply is expected (a handler's returned value still comes back, as a push
   * under its reply name). While disconnected it waits in the offline queue. Returns false when it was dropped:
   * the client is closed, or the queue is full under `'drop-newest'` (under `'error'` that throws instead).
   */
  send<N extends MessageName<C>>(name: N, ...args: DataParam<ArgsOf<C, N>, []>): boolean {
    if (this.closing || this.current === 'closed') return false;
    const frame = outbound(this.fields, name, args[0], undefined);
    if (this.isOpen()) {
      this.write(frame);
      return true;
    }
    let refused: Error | undefined;
    this.enqueue({ name, frame }, (error) => (refused = error));
    if (refused && this.settings.queuePolicy === 'error') throw refused;
    return refused === undefined;
  }

  /**
   * Calls `handler` with the data of every push named `name` (a message the server sent without an `id`: a
   * command, a broadcast, a reply to a `send`). `'*'` sees every message received, replies to requests included.
   * Returns the function that removes the handler.
   */
  on<N extends CommandName<C>>(name: N, handler: (data: CommandData<C, N>, message: WsClientMessage<CommandData<C, N>>) => void): () => void;
  on(name: '*', handler: (data: unknown, message: WsClientMessage) => void): () => void;
  on(name: string, handler: (data: any, message: WsClientMessage<any>) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(name) === set) this.handlers.delete(name);
    };
  }

  /** Calls `handler` on every change of state. Returns the function that removes it. */
  onState(handler: (change: WsStateChange) => void): () => void {
    this.stateHandlers.add(handler);
    return () => void this.stateHandlers.delete(handler);
  }

  /**
   * Closes the connection for good (code 1000): no reconnection; every request still waiting, queued or in
   * flight, rejects with `WsDisconnectedError`. Resolves once the socket is closed.
   */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.resumeToken = undefined;
    clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    this.failQueued(1000, 'client closed');
    this.failInFlight(1000, 'client closed');
    const socket = this.socket;
    this.closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
    if (socket) socket.close(1000);
    else this.finishClose(1000, 'client closed');
    return this.closed;
  }

  // --- connection -------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    let socket: WsSocketLike;
    try {
      const Socket = this.options.WebSocket ?? (await socketConstructor());
      if (this.closing) return this.finishClose(1000, 'client closed');
      this.resuming = this.resumeToken !== undefined;
      socket = new Socket(this.resuming ? withResume(this.url, this.resumeToken!) : this.url);
      this.resumeToken = undefined;
    } catch (error) {
      // No WebSocket at all, or a constructor that refused the URL: nothing a retry can fix.
      this.failQueued(ABNORMAL, String(error));
      this.setState({ state: 'closed', code: ABNORMAL, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    (socket as NodeSocketExtras).on?.('ping', () => (this.lastRead = Date.now()));
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (event) => this.received(event.data);
    socket.onerror = () => undefined; // a close event follows; it is where the drop is handled
    socket.onclose = (event) => this.dropped(socket, event.code, event.reason);
  }

  private opened(socket: WsSocketLike): void {
    if (socket !== this.socket) return;
    this.attempt = 0;
    this.lastRead = this.lastWrite = Date.now();
    this.startHeartbeat(socket);
    if (this.resuming) return; // open once the welcome says whether the session came back
    this.setState({ state: 'open' });
    this.flushQueue();
  }

  /** Option `resume`: keeps the welcome's token; after a resume attempt, the connection is open now. */
  private welcomed(message: WsClientMessage): void {
    const data = message.data as { resume?: unknown; resumed?: unknown } | null;
    if (typeof data?.resume === 'string') this.resumeToken = data.resume;
    if (!this.resuming) return;
    this.resuming = false;
    this.setState({ state: 'open', resumed: data?.resumed === true });
    this.flushQueue();
  }

  private dropped(socket: WsSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.resuming = false;
    this.stopHeartbeat();
    this.failInFlight(code, reason);
    if (this.closing) return this.finishClose(code, reason);
    const reconnect = this.settings.reconnect;
    if (!reconnect || this.attempt >= reconnect.retries) {
      this.failQueued(code, reason);
      this.setState({ state: 'closed', code, reason });
      return;
    }
    this.setState({ state: 'reconnecting', code, reason });
    this.reconnectTimer = setTimeout(() => void this.connect(), backoffDelay(reconnect, this.attempt++));
  }

  private finishClose(code: number, reason: string): void {
    this.socket = undefined;
    if (this.current !== 'closed') this.setState({ state: 'closed', code, reason });
    this.resolveClosed?.();
  }

  /** Gives up on a socket that looks dead: no close handshake to wait for, the drop is handled now. */
  private abandon(socket: WsSocketLike, reason: string): void {
    socket.onopen = socket.onmessage = socket.onclose = null;
    const extras = socket as NodeSocketExtras;
    if (extras.terminate) extras.terminate();
    else socket.close(4000, reason);
    this.dropped(socket, ABNORMAL, reason);
  }

  // --- frames -----------------------------------------------------------------------------------------------

  private isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === OPEN && this.current === 'open';
  }

  private write(frame: Record<string, unknown>): void {
    this.socket!.send(this.codec.encode(frame));
    this.lastWrite = Date.now();
  }

  private enqueue(item: QueuedSend, refuse: (error: Error) => void): void {
    const dropOldest = this.settings.queuePolicy === 'drop-oldest';
    const left = this.queue.push(item, dropOldest);
    if (!left) return;
    const error = new WsQueueFullError(left.name, this.settings.queueMax);
    if (left === item) refuse(error);
    else left.discard?.(error);
  }

  private flushQueue(): void {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      this.write(item.frame);
      item.onWrite?.();
    }
  }

  private received(data: unknown): void {
    this.lastRead = Date.now();
    let message: WsClientMessage | undefined;
    try {
      const bytes = typeof data === 'string' ? data : bytesOf(data);
      if (bytes === undefined) return;
      message = inbound(this.fields, this.codec.decode(bytes));
    } catch {
      return; // not an envelope this client can read: nothing to correlate it with
    }
    if (!message) return;
    if (message.id === undefined && message.name === this.settings.resumeWelcome) this.welcomed(message);
    this.emit('*', message);
    if (message.id !== undefined) {
      // A reply. One whose request already timed out (or was never ours) is discarded.
      const request = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!request) return;
      this.pending.delete(message.id as number);
      clearTimeout(request.timer);
      if (message.code === 0) request.resolve(message.data);
      else request.reject(new WsRequestError(request.name, message.code, message.text, message.data));
      return;
    }
    this.emit(message.name, message);
  }

  private emit(name: string, message: WsClientMessage): void {
    const set = this.handlers.get(name);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(message.data, message);
      } catch (error) {
        report(error);
      }
    }
  }

  // --- requests ---------------------------------------------------------------------------------------------

  /** Rejects the requests written to the socket that just closed: their replies can no longer come. */
  private failInFlight(code: number, reason: string): void {
    for (const [id, request] of this.pending) {
      if (!request.sent) continue;
      this.pending.delete(id);
      clearTimeout(request.timer);
      request.reject(new WsDisconnectedError(request.name, code, reason));
    }
  }

  /** Empties the offline queue, rejecting its requests: there will be no connection to write them to. */
  private failQueued(code: number, reason: string): void {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) item.discard?.(new WsDisconnectedError(item.name, code, reason));
  }

  // --- heartbeat --------------------------------------------------------------------------------------------

  private startHeartbeat(socket: WsSocketLike): void {
    const interval = this.settings.heartbeatInterval;
    let timeout = this.settings.heartbeatTimeout;
    // By default only a socket that shows protocol pings (ws) can be judged by its silence.
    if (timeout === undefined) timeout = typeof (socket as NodeSocketExtras).on === 'function' ? 75_000 : false;
    if (interval === false && timeout === false) return;
    const tick = Math.min(interval === false ? Infinity : interval, timeout === false ? Infinity : timeout / 4);
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      if (timeout !== false && now - this.lastRead > timeout) return this.abandon(socket, 'heartbeat timeout');
      if (interval !== false && now - this.lastWrite >= interval && socket.readyState === OPEN) {
        socket.send(''); // the empty frame: a heartbeat to the server, no reply
        this.lastWrite = now;
      }
    }, Math.max(10, Math.floor(tick)));
    // A heartbeat alone must not keep a Node process alive.
    (this.heartbeatTimer as { unref?: () => void }).unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private setState(change: WsStateChange): void {
    this.current = change.state;
    for (const handler of [...this.stateHandlers]) {
      try {
        handler(change);
      } catch (error) {
        report(error);
      }
    }
  }
}

/** The URL with the `resume` query parameter set to `token`. */
function withResume(url: string, token: string): string {
  const resumed = new URL(url);
  resumed.searchParams.set('resume', token);
  return resumed.toString();
}

/** A handler's exception must not stop the others, nor be lost: the host reports it as uncaught. */
function report(error: unknown): void {
  const global = globalThis as { reportError?: (e: unknown) => void };
  if (typeof global.reportError === 'function') global.reportError(error);
  else setTimeout(() => {
    throw error;
  });
}
