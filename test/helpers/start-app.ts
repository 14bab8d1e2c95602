import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';

export interface RunningApp {
  app: INestApplication;
  port: number;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path?: string): string;
  httpUrl(path?: string): string;
  close(): Promise<void>;
}

/** Boots a real Nest app from module metadata and listens on a free loopback port. */
export async function startApp(metadata: ModuleMetadata): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    port,
    wsUrl: (path = '/ws') => `ws://127.0.0.1:${port}${path}`,
    httpUrl: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: () => app.close(),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true or the time is up; returns whether it became true. */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}
