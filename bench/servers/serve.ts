import { setTimeout as delay } from 'node:timers/promises';

/**
 * Where a server under test listens: a free loopback port unless the harness says otherwise (`--serve` binds the
 * address and port it was given, so a load generator on another machine can reach it).
 */
export const LISTEN = { host: process.env.BENCH_HOST || '127.0.0.1', port: Number(process.env.BENCH_PORT || 0) };

/** How many ticks a `burst` asks for, bounded so a client cannot make a server loop forever. */
export const burstSize = (data: { n?: unknown } | undefined): number => Math.max(1, Math.min(100, Math.floor(Number(data?.n)) || 1));

/** A server under test, listening on a loopback port (or on `LISTEN`). */
export interface StartedServer {
  port: number;
  /** Where clients connect: `/ws`, or socket.io's own path. */
  path: string;
  close(): Promise<void>;
}

/** Requests the harness sends over the fork IPC channel; every one is answered with the same `id`. */
export type ServerRequest = { id: number; op: 'memory' | 'cpu' | 'stop' };

export interface ServerMemory {
  rss: number;
  heapUsed: number;
  external: number;
}

/**
 * Runs `start` as the body of a forked server process and answers the harness: memory (after a full GC, so
 * heap figures are live objects only), CPU time so far, and stop. The process exits if the harness goes away,
 * so an interrupted bench leaves no server behind.
 */
export function serve(start: () => Promise<StartedServer>): void {
  const send = (message: unknown) => process.send?.(message);
  process.on('disconnect', () => process.exit(0));
  start().then(
    (server) => {
      process.on('message', (request: ServerRequest) => void answer(server, request).then(send));
      send({ op: 'ready', port: server.port, path: server.path });
    },
    (err: Error) => {
      send({ op: 'failed', error: err.stack ?? String(err) });
      process.exit(1);
    },
  );
}

async function answer(server: StartedServer, request: ServerRequest): Promise<unknown> {
  switch (request.op) {
    case 'memory':
      return { id: request.id, memory: await settledMemory() };
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return { id: request.id, cpuUs: user + system };
    }
    case 'stop':
      // A server that hangs on close must not hang the bench: the harness kills it after its own deadline.
      await server.close().catch(() => undefined);
      setImmediate(() => process.exit(0));
      return { id: request.id };
  }
}

async function settledMemory(): Promise<ServerMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await delay(50);
  }
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}
