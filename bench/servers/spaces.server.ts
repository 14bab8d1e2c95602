import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsContext, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { burstSize, LISTEN, serve } from './serve.js';

interface TickArgs {
  group?: string;
  n?: number;
  /** pushUser: the user to push to. */
  to?: string;
  /** login: the user this connection becomes. */
  uid?: string;
}

/** The module as an app would use it, sample-style: handlers that return, join groups, broadcast, groupcast. */
@Injectable()
class BenchHandlers {
  @WsMessage('echo')
  echo(ctx: WsContext) {
    return ctx.args;
  }

  @WsMessage('join', { reply: 'joined' })
  join(ctx: WsContext<TickArgs>) {
    ctx.join(String(ctx.args.group));
    return { group: ctx.args.group };
  }

  @WsMessage('broadcast')
  async broadcast(ctx: WsContext) {
    await ctx.broadcast('tick', ctx.args);
  }

  /** Several broadcasts in one turn: what write coalescing is for. */
  @WsMessage('burst')
  async burst(ctx: WsContext<TickArgs>) {
    const sends: Promise<unknown>[] = [];
    for (let i = burstSize(ctx.args); i > 0; i--) sends.push(ctx.broadcast('tick', ctx.args));
    await Promise.all(sends);
  }

  @WsMessage('groupcast')
  async groupcast(ctx: WsContext<TickArgs>) {
    await ctx.groupcast(String(ctx.args.group), 'tick', ctx.args);
  }

  @WsMessage('login', { reply: 'loggedIn' })
  login(ctx: WsContext<TickArgs>) {
    ctx.bindUser(String(ctx.args.uid));
    return { uid: ctx.args.uid };
  }

  /** A push to one user, wherever it is (the cluster-push scenario: on another node). */
  @WsMessage('pushUser')
  async pushUser(ctx: WsContext<TickArgs>) {
    await ctx.pushUser(String(ctx.args.to), 'tick', ctx.args);
  }
}

// With REDIS_URL (the cluster scenarios), the node joins the others through Redis, routing pushUser and groupcast
// as REDIS_ROUTING says (cluster-push starts its second set of nodes with 'shared'). The shortest presence lease
// makes interest routes trusted 2.5 s after a node reaches Redis (leaseTtl / 3 + 2 s) instead of 7 s.
const routing = process.env.REDIS_ROUTING === 'shared' ? 'shared' : 'interest';
const redis = process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL, keyPrefix: 'bench', routing, leaseTtl: '1.5s' } as const } : {};

@Module({ imports: [WsModule.forRoot({ path: '/ws', ...redis })], providers: [BenchHandlers] })
class BenchModule {}

serve(async () => {
  // Warnings too: the cluster's (a publish that timed out, a Redis connection reset) explain lost deliveries.
  const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
  await app.listen(LISTEN.port, LISTEN.host);
  return { port: app.getHttpServer().address().port, path: '/ws', close: () => app.close() };
});
