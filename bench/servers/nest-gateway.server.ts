import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { WebSocket, type WebSocketServer as WsServer } from 'ws';
import { burstSize, LISTEN, serve } from './serve.js';

/**
 * A Nest 12 gateway on `@nestjs/platform-ws`'s `WsAdapter`, written the way its docs suggest: handlers return
 * `{event, data}`, fan-out loops over `server.clients`. It serializes once per fan-out, as a careful user would.
 */
@WebSocketGateway({ path: '/ws' })
class BenchGateway implements OnGatewayDisconnect {
  @WebSocketServer()
  server: WsServer;
  private readonly groups = new Map<string, Set<WebSocket>>();
  private readonly joined = new WeakMap<WebSocket, Set<string>>();

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown) {
    return { event: 'echo', data };
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() client: WebSocket, @MessageBody() data: { group?: string }) {
    const gid = String(data?.group);
    let members = this.groups.get(gid);
    if (!members) this.groups.set(gid, (members = new Set()));
    members.add(client);
    let mine = this.joined.get(client);
    if (!mine) this.joined.set(client, (mine = new Set()));
    mine.add(gid);
    return { event: 'joined', data: { group: gid } };
  }

  @SubscribeMessage('broadcast')
  broadcast(@MessageBody() data: unknown) {
    this.fanout(this.server.clients, data);
  }

  @SubscribeMessage('burst')
  burst(@MessageBody() data: { n?: number }) {
    for (let i = burstSize(data); i > 0; i--) this.fanout(this.server.clients, data);
  }

  @SubscribeMessage('groupcast')
  groupcast(@MessageBody() data: { group?: string }) {
    const members = this.groups.get(String(data?.group));
    if (members) this.fanout(members, data);
  }

  handleDisconnect(client: WebSocket) {
    for (const gid of this.joined.get(client) ?? []) {
      const members = this.groups.get(gid);
      members?.delete(client);
      if (members?.size === 0) this.groups.delete(gid);
    }
  }

  private fanout(targets: Iterable<WebSocket>, data: unknown): void {
    const text = JSON.stringify({ event: 'tick', data });
    for (const client of targets) if (client.readyState === WebSocket.OPEN) client.send(text);
  }
}

@Module({ providers: [BenchGateway] })
class GatewayModule {}

serve(async () => {
  const app = await NestFactory.create(GatewayModule, { logger: ['error'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(LISTEN.port, LISTEN.host);
  return { port: app.getHttpServer().address().port, path: '/ws', close: () => app.close() };
});
