// A fresh Nest app that knows nestjs-ws-spaces only as an installed tarball: if the exports map, the type
// declarations or the peer dependencies are wrong, this file does not compile or does not boot.
import 'reflect-metadata';
import { Injectable, Module, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type Delivery,
  WsBroker,
  WsCode,
  type WsContext,
  WsMessage,
  WsModule,
  type WsModuleOptions,
  WsSpace,
} from 'nestjs-ws-spaces';
import { WsSpacesAdapter } from 'nestjs-ws-spaces';
import { FreshGateway } from './gateway.js';
import { ValidationHandlers } from './validation.js';

const options: WsModuleOptions = { path: '/ws', spaces: { side: '/side' }, pingInterval: '5s' };

@Injectable()
class Handlers {
  constructor(private readonly broker: WsBroker) {}

  @WsMessage('fresh.echo', { reply: 'fresh.echoed' })
  echo(ctx: WsContext<{ text: string }>): { text: string; ok: number } {
    return { text: ctx.args.text, ok: WsCode.OK };
  }

  @WsMessage('fresh.shout')
  shout(ctx: WsContext<{ text: string }>): Promise<Delivery> {
    return this.broker.broadcast('fresh.shouted', { text: ctx.args.text.toUpperCase() });
  }
}

@Injectable()
@WsSpace('side')
class SideHandlers {
  @WsMessage('side.ping')
  ping(): string {
    return 'pong';
  }
}

@Module({ imports: [WsModule.forRoot(options)], providers: [Handlers, SideHandlers, ValidationHandlers, FreshGateway] })
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: false });
app.useGlobalPipes(new ValidationPipe());
app.useWebSocketAdapter(new WsSpacesAdapter(app)); // the gateway and the spaces on one port
await app.listen(0, '127.0.0.1');
const address = app.getHttpServer().address();
console.log(`PORT=${typeof address === 'object' && address ? address.port : ''}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
