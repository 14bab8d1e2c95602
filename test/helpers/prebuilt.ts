import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

/**
 * The slow artefacts some specs check: the benchmark's smoke run and the packed library installed into a fresh
 * app. test/global-setup.ts starts them in child processes once the build is done, so they run beside the rest
 * of the suite instead of holding a test worker for half a minute each; the specs then only read what they made.
 */
export type JobName = 'bench' | 'pack';

declare module 'vitest' {
  interface ProvidedContext {
    /** The directory each background job writes into, for the jobs the global setup started. */
    prebuilt: Partial<Record<JobName, string>>;
  }
}

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DONE = '.done.json';

/** The spec file that reads each job's output: the global setup starts a job only when its spec runs. */
export const JOB_SPECS: Record<JobName, string> = { bench: 'test/bench/bench-smoke.e2e.spec.ts', pack: 'test/package/pack.e2e.spec.ts' };

const JOBS: Record<JobName, (dir: string) => Promise<void>> = {
  /** `npm run bench` in smoke mode, on the built library as a user would load it. */
  async bench(dir) {
    await run(process.execPath, ['dist/bench/run.js', '--mode', 'smoke', '--out', dir], { cwd: ROOT, timeout: 150_000 });
  },

  /**
   * `npm pack`, then a new app (test/package/fresh-app) with the tarball and the peer dependencies an app would
   * have, installed and compiled strictly against the shipped declarations; `tsc.out` keeps what tsc said.
   */
  async pack(dir) {
    const { stdout } = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 1 << 24 });
    const tarball = stdout.trim().split('\n').pop()!;
    const root = JSON.parse((await run('npm', ['pkg', 'get', 'devDependencies'], { cwd: ROOT })).stdout);
    const peers = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer'];
    peers.push('@nestjs/websockets'); // for the app's own gateway beside the module (fresh-app/gateway.ts), not for the module
    cpSync(fileURLToPath(new URL('../package/fresh-app/', import.meta.url)), dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'fresh-app',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries([['nestjs-ws-spaces', `file:./${tarball}`], ...peers.map((p) => [p, root[p]])]),
        devDependencies: { '@types/node': root['@types/node'] },
      }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, maxBuffer: 1 << 24 });
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).catch((e) => e);
    writeFileSync(join(dir, 'tsc.out'), compiled.stdout ?? '');
  },
};

/** Runs a job into a new directory; the returned promise never rejects: the outcome is written to the directory. */
export function startJob(name: JobName): { dir: string; finished: Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `ws-spaces-${name}-`));
  const finished = JOBS[name](dir).then(
    () => writeFileSync(join(dir, DONE), JSON.stringify({ ok: true })),
    (err: Error & { stderr?: string }) => writeFileSync(join(dir, DONE), JSON.stringify({ ok: false, error: `${err.message}\n${err.stderr ?? ''}` })),
  );
  return { dir, finished };
}

/**
 * The directory of a finished job: the one the global setup started (waiting for it to end, without a time
 * window: it ends with its done file, or its own timeouts fail it), or, when it started none, a run of its own.
 */
export async function prebuilt(name: JobName): Promise<string> {
  let dir = inject('prebuilt')?.[name];
  if (!dir) {
    const job = startJob(name);
    await job.finished;
    dir = job.dir;
  }
  const done = join(dir, DONE);
  while (!existsSync(done)) await new Promise((resolve) => setTimeout(resolve, 100)); // polls a file, bounded by the job's own timeouts
  const outcome = JSON.parse(readFileSync(done, 'utf8')) as { ok: boolean; error?: string };
  if (!outcome.ok) throw new Error(`the ${name} job failed: ${outcome.error}`);
  return dir;
}
