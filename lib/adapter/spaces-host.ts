import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../metrics/ws-metrics.js';
import { Dispatcher } from '../pipeline/dispatcher.js';
import { InboundLimiter } from '../pipeline/inbound-limiter.js';
import { type OutboxObserver, SessionOutbox, type OutboxSettings } from '../queue/session-outbox.js';
import { SessionLifecycle } from '../pipeline/session-lifecycle.js';
import { SessionRegistry } from '../session/session.registry.js';
import { WsSession } from '../session/ws-session.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { LOST_UPGRADE } from '../ws.messages.js';
import { abortHandshake } from './abort-handshake.js';
import { cutSlowHandshakes, handshakeDone } from './handshake-timeout.js';
import { Heartbeat } from './heartbeat.js';
import { UpgradeGate, UpgradeRefusal } from './upgrade-gate.js';
import type { WsIdentity } from '../interfaces/ws-authenticator.interface.js';
import { requestFacts, splitUrl } from './request-facts.js';
import { drainAndClose } from './shutdown.js';
import { WsTransport } from './ws-transport.js';

/**
 * Bytes a socket may hold unsent before frames wait in the session's priority queue instead. Big enough that a
 * reading client never queues; small enough that a stalled one holds little beyond the queue's own bound.
 */
const SOCKET_HIGH_WATER = 1024 * 1024;

/**
 * The only place that touches `ws`. Attaches to the HTTP server's `upgrade` event (or a port of its own),
 * maps paths to spaces, and wires each socket to a session, the dispatcher and the lifecycle.
 */
@Injectable()
export class SpacesUpgradeHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WsModule');
  private readonly spaceByPath = new Map<string, string>();
  private readonly sockets = new Set<WebSocket>();
  private wss: WebSocketServer | undefined;
  private server: Server | undefined;
  private ownsServer = false;
  private closing = false;
  /** A `WsSpacesAdapter` owns the HTTP server's one upgrade listener and hands us the upgrades to our paths. */
  private routed = false;
  private attached = false;
  /** Whether the lost-upgrade error was logged: once is enough to name the fix. */
  private lostUpgradeLogged = false;
  /** Upgrades still in their asynchronous checks; they count against the connection limits. */
  private pendingUpgrades = 0;
  private heartbeat: Heartbeat | undefined;
  private readonly outboxSettings: OutboxSettings;
  private readonly observers = new Map<string, OutboxObserver>();

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly sessions: SessionRegistry,
    private readonly dispatcher: Dispatcher,
    private readonly lifecycle: SessionLifecycle,
    private readonly metrics: WsMetrics,
    private readonly limiter: InboundLimiter,
    private readonly gate: UpgradeGate,
  ) {
    for (const [space, path] of Object.entries(options.spaces)) {
      this.spaceByPath.set(path, space);
      this.observers.set(space, this.observerFor(space));
    }
    this.outboxSettings = {
      maxMessages: options.queueSize,
      maxBytes: options.queueBytes,
      highWater: SOCKET_HIGH_WATER,
      writeTimeout: options.writeTimeout,
      binary: options.format === 'binary',
    };
  }

  /** The port WebSocket clients connect to, once listening. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { options } = this;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // ws' own default is 100 MiB; ours is the module's bound, and it applies after inflation too.
      maxPayload: options.maxMessageSize,
      perMessageDeflate: options.compression
        ? { zlibDeflateOptions: { level: options.compressLevel }, threshold: options.compressThreshold }
        : false,
    });
    this.server = await this.resolveServer();
    if (this.ownsServer || !this.routed) {
      this.server.on('upgrade', this.onUpgrade);
      this.attached = true;
    }
    this.heartbeat = new Heartbeat(this.sessions, this.metrics, options.pingInterval, options.readTimeout, (now) =>
      this.limiter.sweep(now),
    );
    this.heartbeat.start();
  }

  /**
   * Stops accepting (late upgrades are answered 503), then ends every session without losing a reply: see
   * `drainAndClose` for the order.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.server?.off('upgrade', this.onUpgrade);
    this.heartbeat?.stop();
    await drainAndClose({
      dispatcher: this.dispatcher,
      lifecycle: this.lifecycle,
      sessions: () => this.sessions.values(),
      sockets: () => this.sockets,
      grace: this.options.shutdownGrace,
    });
    this.wss?.close();
    if (this.ownsServer && this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Counts what a session's outbox does straight into its space's counters: no lookup per frame. */
  private observerFor(space: string): OutboxObserver {
    const metrics = this.metrics;
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

  private async resolveServer(): Promise<Server> {
    if (this.options.port !== undefined) {
      const server = createServer((_req, res) => res.writeHead(404).end());
      cutSlowHandshakes(server, this.options.handshakeTimeout);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, () => resolve());
      });
      this.ownsServer = true;
      return server;
    }
    const server = this.httpAdapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) {
      throw new WsConfigError('WsModule found no HTTP server to attach to. Create the app with NestFactory.create(), or set the "port" option.');
    }
    return server;
  }

  /**
   * Called by a `WsSpacesAdapter` built for this app: from then on the upgrades of the HTTP server reach us through
   * its single listener (`handleUpgrade`). False when the module listens on a port of its own, which the adapter
   * then leaves alone.
   */
  routeThrough(): boolean {
    if (this.options.port !== undefined) return false;
    this.routed = true;
    if (this.attached) {
      this.server?.off('upgrade', this.onUpgrade);
      this.attached = false;
    }
    return true;
  }

  /** Whether an upgrade path belongs to one of the spaces. */
  owns(path: string): boolean {
    return this.spaceByPath.has(path);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (socket.destroyed) return this.lostUpgrade(splitUrl(req.url).path);
    if (this.handleUpgrade(req, socket, head)) return;
    // Another upgrade listener (a library of the app's) may own this path; refuse only when we are alone.
    if (this.server!.listenerCount('upgrade') === 1) abortHandshake(socket, 404);
  };

  /**
   * Another upgrade listener destroyed a socket bound for one of our paths before we saw it: @nestjs/platform-ws's
   * WsAdapter does that to every path its gateways do not own. Without this line such a client only sees a reset.
   */
  private lostUpgrade(path: string): void {
    const space = this.spaceByPath.get(path);
    if (space === undefined) return; // not ours: whoever destroyed it owned it
    this.metrics.count(space, 'refused');
    if (this.lostUpgradeLogged) return;
    this.lostUpgradeLogged = true;
    this.logger.error(LOST_UPGRADE(path));
  }

  /** Upgrades a request to one of the spaces' paths; false for any other path, which is left to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    handshakeDone(socket);
    const { path, search } = splitUrl(req.url);
    const space = this.spaceByPath.get(path);
    if (space === undefined) return false;
    this.upgradeSpace(req, socket, head, space, path, search);
    return true;
  }

  private upgradeSpace(req: IncomingMessage, socket: Duplex, head: Buffer, space: string, path: string, search: string): void {
    if (this.closing) return abortHandshake(socket, 503);
    const index = this.sessions.find(space)!;
    if (
      this.sessions.size + this.pendingUpgrades >= this.options.maxConnections ||
      index.sessions.size + this.pendingUpgrades >= this.options.spaceMaxConnections[space]
    ) {
      this.metrics.count(space, 'refused');
      return abortHandshake(socket, 503, 'too many connections');
    }
    socket.on('error', () => socket.destroy());
    if (!this.gate.origin(req, space)) return abortHandshake(socket, 403, 'origin not allowed');
    if (!this.gate.guards(space)) {
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, space, path, search, undefined));
      return;
    }
    this.pendingUpgrades++;
    this.gate.check(req, space).then(
      (identity) => {
        this.pendingUpgrades--;
        if (socket.destroyed) return;
        if (this.closing) return abortHandshake(socket, 503);
        this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, space, path, search, identity));
      },
      (refusal: UpgradeRefusal) => {
        this.pendingUpgrades--;
        abortHandshake(socket, refusal.status, refusal.message);
      },
    );
  }

  // One listener of each kind for every socket, not four closures per connection: ws calls them with the socket
  // as `this`, and the socket carries its session.
  private readonly onSocketError = socketListener(this, (adapter, socket) => {
    adapter.metrics.count(sessionOf(socket).space, 'receiveFailures');
  });
  private readonly onSocketClose = socketListener(this, (adapter, socket) => {
    adapter.sockets.delete(socket);
    void adapter.lifecycle.close(sessionOf(socket));
  });
  private readonly logDispatchFailure = (err: unknown) => this.logger.error(err);
  private readonly onSocketMessage = ((adapter: SpacesUpgradeHost) =>
    function (this: WebSocket, data: Buffer, isBinary: boolean) {
      const session = sessionOf(this);
      session.lastSeen = Date.now();
      adapter.dispatcher.handle(session, data, isBinary).catch(adapter.logDispatchFailure);
    })(this);

  private accept(ws: WebSocket, req: IncomingMessage, space: string, path: string, search: string, identity: WsIdentity | undefined): void {
    const facts = requestFacts(req, path, search, this.options.keepHeaders);
    const transport = new WsTransport(ws);
    const outbox = new SessionOutbox(transport, this.outboxSettings, this.observers.get(space)!);
    const session = new WsSession(this.sessions.ids.next(), space, facts, transport, outbox);
    this.sockets.add(ws);
    (ws as SocketWithSession)[kSession] = session;
    // Without an error listener a single bad frame (unmasked, reserved opcode, oversize) would throw from the
    // socket and take the process down. ws has already chosen the close code; we only count it.
    ws.on('error', this.onSocketError);
    ws.on('message', this.onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', this.onSocketClose);
    if (identity?.locals) Object.assign(session.locals, identity.locals);
    this.lifecycle.open(session, identity?.user);
  }
}

const kSession = Symbol('ws-spaces:session');
type SocketWithSession = WebSocket & { [kSession]: WsSession };

const sessionOf = (socket: WebSocket): WsSession => (socket as SocketWithSession)[kSession];

function onSocketPong(this: WebSocket): void {
  sessionOf(this).lastSeen = Date.now();
}

/** A listener shared by every socket, called with the socket ws gives as `this`. */
function socketListener(adapter: SpacesUpgradeHost, listener: (adapter: SpacesUpgradeHost, socket: WebSocket) => void) {
  return function (this: WebSocket): void {
    listener(adapter, this);
  };
}
