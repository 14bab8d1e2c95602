import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsModule, type WsModuleOptions } from 'nestjs-ws-spaces';
import { CalcHandlers } from './calc.handlers.js';

/** The calc app on a given loopback port (0: a free one), so that a spec can stop it and start another in its place. */
export async function startCalcApp(port = 0, options: WsModuleOptions = {}, metadata: ModuleMetadata = {}): Promise<{ app: INestApplication; port: number; url: (path?: string) => string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [WsModule.forRoot({ path: '/ws', ...options }), ...(metadata.imports ?? [])],
    providers: [CalcHandlers, ...(metadata.providers ?? [])],
    controllers: metadata.controllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { app, port: actual, url: (path = '/ws') => `ws://127.0.0.1:${actual}${path}` };
}
