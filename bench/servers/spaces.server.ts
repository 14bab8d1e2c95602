import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsContext, WsMessage, WsModule } from 'nestjs-ws-spaces';
import { serve } from './serve.js';

interface TickArgs {
  group?: string;
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

  @WsMessage('groupcast')
  async groupcast(ctx: WsContext<TickArgs>) {
    await ctx.groupcast(String(ctx.args.group), 'tick', ctx.args);
  }
}

// With REDIS_URL (the cluster scenario), the node joins the others through Redis.
const redis = process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL, keyPrefix: 'bench' } } : {};

@Module({ imports: [WsModule.forRoot({ path: '/ws', ...redis })], providers: [BenchHandlers] })
class BenchModule {}

serve(async () => {
  const app = await NestFactory.create(BenchModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return { port: app.getHttpServer().address().port, path: '/ws', close: () => app.close() };
});
