import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A node of the cluster in an OS process of its own: the built sample app (`dist/sample/main.js`). */
export interface ChildNode {
  child: ChildProcess;
  port: number;
  wsUrl(path?: string): string;
  /** SIGTERM (or the given signal), and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the built sample app on a free port, configured through its environment (`REDIS_URL`, `REDIS_PREFIX`,
 * `REDIS_LEASE_TTL` ...), and resolves once it prints where it listens.
 */
export async function startChildNode(env: Record<string, string>): Promise<ChildNode> {
  const child = spawn(process.execPath, ['dist/sample/main.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /localhost:(\d+) /.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`child node exited with ${code}: ${out}`)));
  });
  return {
    child,
    port,
    wsUrl: (path = '/ws') => `ws://127.0.0.1:${port}${path}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
