import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const address = app.getHttpServer().address();
  const actual = typeof address === 'object' && address ? address.port : port; // PORT=0 picks a free one
  const cluster = process.env.REDIS_URL ? `, joined through ${process.env.REDIS_URL}` : '';
  console.log(`sample listening on http://localhost:${actual} (WebSocket: ws://localhost:${actual}/ws, custom space: /socket/custom${cluster})`);
}

void bootstrap();
