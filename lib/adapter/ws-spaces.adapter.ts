import { type INestApplicationContext, Logger, type WebSocketAdapter, type WsMessageHandler } from '@nestjs/common';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable, Subscription } from 'rxjs';
import { type RawData, WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { abortHandshake } from './abort-handshake.js';
import { splitUrl } from './request-facts.js';
import { SpacesUpgradeHost } from './spaces-upgrade.host.js';

/**
 * What `@WebSocketGateway(port, options)` hands the adapter: a path, and `ws` server options passed on as they are.
 * Typed loosely on purpose: the public declarations never name `ws` types, so apps need no `@types/ws`.
 */
export interface WsGatewayOptions {
  path?: string;
  namespace?: unknown;
  [wsServerOption: string]: unknown;
}

/** A gateway server given no path on a port of its own takes every path there, as `ws` does. */
const ANY_PATH = '*';

/**
 * Nest's `WebSocketAdapter` for apps that have `@WebSocketGateway()`s beside this module:
 * `app.useWebSocketAdapter(new WsSpacesAdapter(app))`. One upgrade listener per HTTP server routes each upgrade
 * by path: to a gateway (Nest's `{ event, data }` messages, the gateways' guards, pipes, interceptors and filters,
 * as with @nestjs/platform-ws), to one of the module's spaces, or 404. Without it, platform-ws's `WsAdapter`
 * destroys every upgrade to a path its gateways do not own, the module's included.
 *
 * Gateway sockets are plain `ws` sockets, as with platform-ws: they are not sessions (no spaces, users, groups,
 * send queues, heartbeat or metrics of the module, and `WsBroker` does not reach them). It implements the
 * interface rather than extending `AbstractWsAdapter`, so the module does not make `@nestjs/websockets` a
 * dependency of apps without gateways.
 * @publicApi
 */
export class WsSpacesAdapter implements WebSocketAdapter<object, object, WsGatewayOptions> {
  /** Set by Nest from the app's `forceCloseConnections` option. */
  forceCloseConnections?: boolean;
  private readonly logger = new Logger(WsSpacesAdapter.name);
  private readonly httpServer: Server;
  /** The module's spaces, when the module is in this app and shares its HTTP server. */
  private readonly spaces: SpacesUpgradeHost | undefined;
  /** Gateway servers by path, per HTTP server. */
  private readonly routes = new Map<Server, Map<string, WebSocketServer>>();
  private readonly listeners = new Map<Server, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  /** HTTP servers this adapter created for gateways on ports of their own, by port. */
  private readonly ownServers = new Map<number, Server>();

  constructor(app: INestApplicationContext & { getHttpServer(): unknown }) {
    this.httpServer = app.getHttpServer() as Server;
    this.spaces = spacesOf(app);
    if (this.spaces && !this.spaces.routeThrough()) this.spaces = undefined;
    this.listen(this.httpServer);
  }

  /** A `ws` WebSocketServer for the gateway (typed `object` so the declarations stay free of `ws` types). */
  create(port: number, options: WsGatewayOptions = {}): object {
    const { server, path, namespace, ...wsOptions } = options as Omit<ServerOptions, 'path'> & { path?: string; namespace?: unknown };
    if (namespace) throw new Error('WsSpacesAdapter does not support namespaces; they are a socket.io feature (@nestjs/platform-socket.io).');
    if (server) return server;
    const http = port === 0 ? this.httpServer : this.serverOn(port);
    const route = path === undefined && port !== 0 ? ANY_PATH : normalizePath(path);
    if (http === this.httpServer && this.spaces?.owns(route)) {
      throw new Error(`A @WebSocketGateway() asks for the path ${route}, which is a space of WsModule. Give one of them another path.`);
    }
    const wss = new WebSocketServer({ noServer: true, ...wsOptions });
    this.routes.get(http)!.set(route, wss);
    return wss;
  }

  bindClientConnect(server: object, callback: (...args: unknown[]) => void): void {
    (server as WebSocketServer).on('connection', callback);
  }

  bindClientDisconnect(client: object, callback: (...args: unknown[]) => void): void {
    (client as WebSocket).once('close', callback);
  }

  closeClient(client: object): void {
    (client as WebSocket).terminate();
  }

  /**
   * Nest's ws protocol, as platform-ws speaks it: a frame is `{ "event": name, "data": ... }`; a handler's result
   * (or each value of its Observable) is sent back as JSON. Frames that are not JSON or name no handler are
   * dropped without a log (a public socket must not be able to flood the logs); errors a handler's filters
   * rethrow are logged, since they are bugs of the app.
   */
  bindMessageHandlers(socket: object, handlers: WsMessageHandler[], transform: (data: unknown) => Observable<unknown>): void {
    const client = socket as WebSocket;
    const byEvent = new Map(handlers.map((handler) => [handler.message, handler]));
    const running = new Set<Subscription>();
    const send = (response: unknown) => {
      if (response !== null && response !== undefined && client.readyState === WebSocket.OPEN) client.send(JSON.stringify(response));
    };
    client.on('message', (data: RawData) => {
      let message: { event?: unknown; data?: unknown } | null;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      const handler = message !== null && typeof message === 'object' ? byEvent.get(message.event as string) : undefined;
      if (!handler) return;
      let result: Observable<unknown>;
      try {
        result = transform(handler.callback(message!.data, message!.event));
      } catch {
        return; // as platform-ws: a synchronous throw must not end this client's message handling
      }
      const subscription = result.subscribe({
        next: send,
        error: (err: unknown) => {
          running.delete(subscription);
          this.logger.error(err);
        },
        complete: () => running.delete(subscription),
      });
      if (!subscription.closed) running.add(subscription);
    });
    client.once('close', () => {
      for (const subscription of running) subscription.unsubscribe();
      running.clear();
    });
  }

  async close(gatewayServer: object): Promise<void> {
    const server = gatewayServer as WebSocketServer;
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    for (const [http, listener] of this.listeners) http.off('upgrade', listener);
    await Promise.all([...this.ownServers.values()].map((http) => new Promise((resolve) => http.close(resolve))));
    this.listeners.clear();
    this.routes.clear();
    this.ownServers.clear();
  }

  /** The one upgrade listener of an HTTP server: a gateway's path, else a space's, else 404. */
  private listen(http: Server): void {
    const routes = new Map<string, WebSocketServer>();
    this.routes.set(http, routes);
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const gateway = routes.get(splitUrl(req.url).path) ?? routes.get(ANY_PATH);
      if (gateway) {
        socket.on('error', () => socket.destroy());
        gateway.handleUpgrade(req, socket, head, (ws) => gateway.emit('connection', ws, req));
        return;
      }
      if (http === this.httpServer && this.spaces?.handleUpgrade(req, socket, head)) return;
      // Another library's upgrade listener may own this path; refuse only when we are alone.
      if (http.listenerCount('upgrade') === 1) abortHandshake(socket, 404);
    };
    http.on('upgrade', listener);
    this.listeners.set(http, listener);
  }

  private serverOn(port: number): Server {
    let http = this.ownServers.get(port);
    if (!http) {
      http = createServer((_req, res) => res.writeHead(404).end());
      this.ownServers.set(port, http);
      this.listen(http);
      http.listen(port);
    }
    return http;
  }
}

/** The module's upgrade host in this app, if WsModule is imported. */
function spacesOf(app: INestApplicationContext): SpacesUpgradeHost | undefined {
  try {
    return app.get(SpacesUpgradeHost, { strict: false });
  } catch {
    return undefined;
  }
}

/** Gateway paths as Nest normalizes them: a leading slash, no trailing one, '/' when none is given. */
function normalizePath(path: string | undefined): string {
  const trimmed = (path ?? '').replace(/^\/+|\/+$/g, '');
  return `/${trimmed}`;
}
