import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  console.log(`sample listening on http://localhost:${port} (WebSocket: ws://localhost:${port}/ws, custom space: /socket/custom)`);
}

void bootstrap();
