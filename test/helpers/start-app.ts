import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
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
export async function startApp(metadata: ModuleMetadata, logger: LoggerService | false = false): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger });
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

/**
 * Lets real time pass, for specs whose subject is a clock (a timeout, an interval, a refill): "this much time went
 * by and still nothing happened". Never to wait for something to arrive: fence or `eventually` for that.
 */
export const realClock = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true (it may be async) or the time is up; returns whether it became true. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

/** A logger that keeps what it was told, by level, so tests can check what reached the logs. */
export class RecordingLogger implements LoggerService {
  readonly lines: Record<'log' | 'error' | 'warn' | 'debug' | 'verbose', string[]> = { log: [], error: [], warn: [], debug: [], verbose: [] };
  log(message: unknown) {
    this.lines.log.push(String(message));
  }
  error(message: unknown) {
    this.lines.error.push(String(message));
  }
  warn(message: unknown) {
    this.lines.warn.push(String(message));
  }
  debug(message: unknown) {
    this.lines.debug.push(String(message));
  }
  verbose(message: unknown) {
    this.lines.verbose.push(String(message));
  }
}
