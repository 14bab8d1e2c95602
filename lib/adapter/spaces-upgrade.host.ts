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
import { SessionAcceptor } from '../broker/session-acceptor.js';
import { WsAcceptError } from '../errors/ws-accept.error.js';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsAcceptOptions } from '../interfaces/ws-accept-options.interface.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { Dispatcher } from '../pipeline/dispatcher.js';
import { InboundLimiter } from '../pipeline/inbound-limiter.js';
import { SessionLifecycle } from '../pipeline/session-lifecycle.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { LOST_UPGRADE } from '../ws.messages.js';
import { abortHandshake, destroyOnError } from './abort-handshake.js';
import { cutSlowHandshakes, handshakeDone } from './handshake-timeout.js';
import { Heartbeat } from './heartbeat.js';
import type { WsIdentity } from '../interfaces/ws-authenticator.interface.js';
import { requestFacts, splitUrl } from './request-facts.js';
import { SessionAssembly } from './session-assembly.js';
import { drainAndClose } from './shutdown.js';
import type { Place } from './space-places.js';
import { UpgradeGate, type UpgradeRefusal } from './upgrade-gate.js';

/**
 * The module's upgrade host: attaches to the HTTP server's `upgrade` event (or listens on a port of its own, or
 * takes the upgrades a `WsSpacesAdapter` routes to it), puts each upgrade through the gate (place, limits, origin,
 * guards, authenticator), and hands each socket to the session assembly, as it does the sockets the app upgraded
 * itself (`adopt`).
 */
@Injectable()
export class SpacesUpgradeHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpacesUpgradeHost.name);
  private wss: WebSocketServer | undefined;
  private server: Server | undefined;
  private ownsServer = false;
  private closing = false;
  /** A `WsSpacesAdapter` owns the HTTP server's one upgrade listener and hands us the upgrades to our paths. */
  private routed = false;
  private attached = false;
  /** Whether the lost-upgrade error was logged: once is enough to name the fix. */
  private lostUpgradeLogged = false;
  private heartbeat: Heartbeat | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly sessions: SessionRegistry,
    private readonly dispatcher: Dispatcher,
    private readonly lifecycle: SessionLifecycle,
    private readonly metrics: WsMetrics,
    private readonly limiter: InboundLimiter,
    private readonly gate: UpgradeGate,
    private readonly assembly: SessionAssembly,
    acceptor: SessionAcceptor,
  ) {
    // The broker cannot inject this host (the host depends on it through the lifecycle): it is handed `adopt`.
    acceptor.use(this.adopt);
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
      sockets: () => this.assembly.sockets,
      grace: this.options.shutdownGrace,
    });
    this.wss?.close();
    if (this.ownsServer && this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
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
    return this.gate.spaceAt(path) !== undefined;
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
    const space = this.gate.spaceAt(path);
    if (space === undefined) return; // not ours: whoever destroyed it owned it
    this.metrics.count(space, 'refused');
    if (this.lostUpgradeLogged) return;
    this.lostUpgradeLogged = true;
    this.logger.error(LOST_UPGRADE(path));
  }

  /**
   * Upgrades a request to one of the spaces' paths, or to the space `resolveSpace` chooses for it; false for a path
   * neither places, which is left to the caller.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    handshakeDone(socket);
    const { path, search } = splitUrl(req.url);
    const place = this.gate.place(req, path, search);
    if (place === undefined) return false;
    if (place === null) abortHandshake(socket, 500);
    else this.upgradeSpace(req, socket, head, place);
    return true;
  }

  private upgradeSpace(req: IncomingMessage, socket: Duplex, head: Buffer, place: Place): void {
    if (this.closing) return abortHandshake(socket, 503);
    const { space } = place;
    if (!this.gate.room(space)) {
      this.metrics.count(space, 'refused');
      return abortHandshake(socket, 503, 'too many connections');
    }
    socket.on('error', destroyOnError);
    if (!this.gate.origin(req, space)) return abortHandshake(socket, 403, 'origin not allowed');
    if (!this.gate.guards(space)) {
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, place, undefined));
      return;
    }
    this.gate.check(req, space).then(
      (identity) => {
        if (socket.destroyed) return;
        if (this.closing) return abortHandshake(socket, 503);
        this.wss!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, place, identity));
      },
      (refusal: UpgradeRefusal) => {
        abortHandshake(socket, refusal.status, refusal.message);
      },
    );
  }

  /**
   * Adopts a socket the app upgraded itself (`WsBroker.accept`): the same session, queues, hooks, heartbeat,
   * metrics and limits as the sockets upgraded here; no origin check, guard or authenticator (the app ran its own).
   * Throws a `WsAcceptError` and leaves the socket alone when it cannot.
   */
  readonly adopt = (socket: object, request: IncomingMessage, options: WsAcceptOptions): WsSession => {
    const ws = socket as WebSocket;
    if (typeof ws?.on !== 'function' || typeof ws.send !== 'function' || typeof ws.readyState !== 'number') {
      throw new WsAcceptError('bad-input', 'accept() takes an open ws WebSocket');
    }
    if (typeof request?.headers !== 'object' || request.headers === null) {
      throw new WsAcceptError('bad-input', 'accept() takes the upgrade request (IncomingMessage) as its second argument');
    }
    const space = options?.space;
    if (typeof space !== 'string' || !this.sessions.find(space)) {
      throw new WsAcceptError('unknown-space', `unknown space "${String(space)}"; configured: ${Object.keys(this.options.spaces).join(', ')}`);
    }
    if (options.user !== undefined && typeof options.user !== 'string') throw new WsAcceptError('bad-input', 'accept(): user must be a string');
    if (this.closing) throw new WsAcceptError('closed', 'WsModule is shutting down');
    if (ws.readyState !== WebSocket.OPEN) throw new WsAcceptError('not-open', 'accept() takes an open socket');
    if (this.assembly.holds(ws)) throw new WsAcceptError('not-open', 'this socket is already a session');
    if (!this.gate.room(space)) {
      this.metrics.count(space, 'refused');
      throw new WsAcceptError('too-many-connections', 'too many connections');
    }
    const { path, search } = splitUrl(request.url);
    const facts = requestFacts(request, path, search, this.options.keepHeaders);
    return this.assembly.assemble(ws, { space, facts, user: options.user, locals: options.locals }, true);
  };

  private accept(ws: WebSocket, req: IncomingMessage, place: Place, identity: WsIdentity | undefined): void {
    const facts = requestFacts(req, place.path, place.search, this.options.keepHeaders, place.params);
    this.assembly.assemble(ws, { space: place.space, facts, user: identity?.user, locals: identity?.locals });
  }
}
