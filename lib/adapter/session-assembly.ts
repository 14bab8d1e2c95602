import { Inject, Injectable, Logger } from '@nestjs/common';
import { WebSocket } from 'ws';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { outboxCounters } from '../observability/outbox-counters.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { Dispatcher } from '../pipeline/dispatcher.js';
import { SessionLifecycle } from '../pipeline/session-lifecycle.js';
import { WsCloseCode } from '../protocol/ws-code.js';
import { type OutboxObserver, type OutboxSettings, SessionOutbox } from '../queue/session-outbox.js';
import type { SessionTransport } from '../session/session-transport.interface.js';
import { SessionRegistry } from '../session/session.registry.js';
import { SessionParking } from '../session/resume/session-parking.js';
import { takeResumeToken } from '../session/resume/resume-token.js';
import { WelcomeFirstTransport } from '../session/welcome-first.transport.js';
import { WsSession, type WsRequestFacts } from '../session/ws-session.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { WsTransport } from './ws-transport.js';

/**
 * Bytes a socket may hold unsent before frames wait in the session's priority queue instead. Big enough that a
 * reading client never queues; small enough that a stalled one holds little beyond the queue's own bound.
 */
const SOCKET_HIGH_WATER = 1024 * 1024;

/** What a session starts with besides its socket: its space, the request's facts, the identity it was given. */
export interface SessionStart {
  space: string;
  facts: WsRequestFacts;
  user?: string;
  locals?: Record<string, unknown>;
}

/**
 * Turns an open `ws` socket into a session: transport, send queue, listeners, registry, open hooks. The one path
 * for every socket, whether the module upgraded it or the app did and handed it over (`WsBroker.accept`), so both
 * get the same queues, hooks, heartbeat, metrics and limits. Keeps the set of live sockets shutdown closes.
 */
@Injectable()
export class SessionAssembly {
  private readonly logger = new Logger(SessionAssembly.name);
  readonly sockets = new Set<WebSocket>();
  private readonly outboxSettings: OutboxSettings;
  private readonly observers = new Map<string, OutboxObserver>();
  private readonly welcome: boolean;
  private readonly rawSpaces: ReadonlySet<string>;
  private readonly maxMessageSize: number;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly sessions: SessionRegistry,
    private readonly dispatcher: Dispatcher,
    private readonly lifecycle: SessionLifecycle,
    private readonly metrics: WsMetrics,
    private readonly parking: SessionParking,
  ) {
    for (const space of Object.keys(options.spaces)) this.observers.set(space, outboxCounters(metrics, space));
    this.outboxSettings = {
      maxMessages: options.queueSize,
      maxBytes: options.queueBytes,
      highWater: SOCKET_HIGH_WATER,
      writeTimeout: options.writeTimeout,
      binary: options.format === 'binary',
    };
    this.welcome = options.welcome !== false;
    this.rawSpaces = new Set(options.rawSpaces);
    this.maxMessageSize = options.maxMessageSize;
  }

  /** Whether this socket already carries a session. */
  holds(ws: WebSocket): boolean {
    return (ws as Partial<SocketWithSession>)[kSession] !== undefined;
  }

  /**
   * Makes a session of an open socket and opens it. `adopted`: the app's own `WebSocketServer` upgraded it, so
   * the module's `maxMessageSize` was not ws' `maxPayload` there and is checked per frame instead.
   */
  assemble(ws: WebSocket, start: SessionStart, adopted = false): WsSession {
    const { space } = start;
    // The dispatcher reads Buffers; an app's server may have asked for another binary type.
    if (adopted) ws.binaryType = 'nodebuffer';
    const socket: SessionTransport = new WsTransport(ws);
    // Option `resume`: a client back with its token gets its parked session, on this new socket.
    const token = takeResumeToken(start.facts);
    const parked = token === undefined ? undefined : this.parking.claim(token, space, start.user);
    if (parked) return this.resume(ws, parked, socket, adopted);
    // With a welcome, frames wait until it is written, so it is the first frame the client gets. A raw space
    // speaks no envelope and gets no welcome, so nothing waits there.
    const transport =
      this.parking.transportFor(space, socket) ?? (this.welcome && !this.rawSpaces.has(space) ? new WelcomeFirstTransport(socket) : socket);
    const outbox = new SessionOutbox(transport, this.outboxSettings, this.observers.get(space)!);
    const session = new WsSession(this.sessions.ids.next(), space, start.facts, transport, outbox);
    this.parking.issue(session, token === undefined ? undefined : false);
    this.attach(ws, session, adopted);
    if (start.locals) Object.assign(session.locals, start.locals);
    this.lifecycle.open(session, start.user);
    return session;
  }

  /** Option `resume`: the parked session on the client's new socket; the welcome, then what it missed, then live. */
  private resume(ws: WebSocket, session: WsSession, socket: SessionTransport, adopted: boolean): WsSession {
    this.parking.attach(session, socket);
    this.attach(ws, session, adopted);
    session.lastSeen = Date.now();
    this.lifecycle.greet(session);
    return session;
  }

  private attach(ws: WebSocket, session: WsSession, adopted: boolean): void {
    this.sockets.add(ws);
    (ws as SocketWithSession)[kSession] = session;
    // Without an error listener a single bad frame (unmasked, reserved opcode, oversize) would throw from the
    // socket and take the process down. ws has already chosen the close code; we only count it.
    ws.on('error', this.onSocketError);
    ws.on('message', adopted ? this.onAdoptedMessage : this.onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', this.onSocketClose);
  }

  // One listener of each kind for every socket, not four closures per connection: ws calls them with the socket
  // as `this`, and the socket carries its session.
  private readonly onSocketError = socketListener(this, (assembly, socket) => {
    assembly.metrics.count(sessionOf(socket).space, 'receiveFailures');
  });
  private readonly onSocketClose = ((assembly: SessionAssembly) =>
    function (this: WebSocket, code: number) {
      assembly.sockets.delete(this);
      // Option `resume` may park the session instead; the close hooks run when it ends for good.
      assembly.parking.socketClosed(sessionOf(this), code, assembly.end);
    })(this);
  private readonly end = (session: WsSession) => void this.lifecycle.close(session);
  private readonly logDispatchFailure = (err: unknown) => this.logger.error(err);
  private readonly onSocketMessage = ((assembly: SessionAssembly) =>
    function (this: WebSocket, data: Buffer, isBinary: boolean) {
      const session = sessionOf(this);
      session.lastSeen = Date.now();
      assembly.dispatcher.handle(session, data, isBinary)?.catch(assembly.logDispatchFailure);
    })(this);
  /** An adopted socket's frames: the module's size limit first (close 1009, as ws does on its own sockets). */
  private readonly onAdoptedMessage = ((assembly: SessionAssembly, forward: (this: WebSocket, data: Buffer, isBinary: boolean) => void) =>
    function (this: WebSocket, data: Buffer, isBinary: boolean) {
      if (data.length > assembly.maxMessageSize) {
        assembly.metrics.count(sessionOf(this).space, 'receiveFailures');
        this.close(WsCloseCode.MESSAGE_TOO_BIG, 'message too big');
        return;
      }
      forward.call(this, data, isBinary);
    })(this, this.onSocketMessage);
}

const kSession = Symbol('ws-spaces:session');
type SocketWithSession = WebSocket & { [kSession]: WsSession };

const sessionOf = (socket: WebSocket): WsSession => (socket as SocketWithSession)[kSession];

function onSocketPong(this: WebSocket): void {
  sessionOf(this).lastSeen = Date.now();
}

/** A listener shared by every socket, called with the socket ws gives as `this`. */
function socketListener(assembly: SessionAssembly, listener: (assembly: SessionAssembly, socket: WebSocket) => void) {
  return function (this: WebSocket): void {
    listener(assembly, this);
  };
}
