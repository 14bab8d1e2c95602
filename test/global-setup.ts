import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { JOB_SPECS, type JobName, startJob } from './helpers/prebuilt.js';

/** Specs that run the built dist/ (the bench and the package run it, the cluster spec starts the sample from it). */
const NEEDS_BUILD = ['test/bench/bench-smoke.e2e.spec.ts', 'test/package/pack.e2e.spec.ts', 'test/cluster/redis-dispatch.e2e.spec.ts'];
NEEDS_BUILD.push('test/cluster/presence.e2e.spec.ts', 'test/cluster/four-nodes.e2e.spec.ts');
// The client's build served to Chromium (the demo page imports it too), its ./client entry, and the contract CLI.
NEEDS_BUILD.push(
  'test/sample/demo-page.e2e.spec.ts',
  'test/client/browser.e2e.spec.ts',
  'test/client/package-entry.e2e.spec.ts',
  'test/client/contract.e2e.spec.ts',
  'test/cli/contract-diff.spec.ts',
);

/**
 * Builds dist/ once, and only when a spec of this run needs it; then starts the slow artefacts (the bench smoke
 * run, the packed fresh app) in child processes, so they run beside the other specs (test/helpers/prebuilt.ts).
 * Building here, and not in those specs, keeps two specs running in parallel from writing the same files.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // The CLI's file filters; vitest keeps them on an internal field. Without it, every spec counts as selected.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const files = (await project.globTestFiles(filters)).testFiles.map((file) => file.replaceAll('\\', '/'));
  const selected = (spec: string) => files.some((file) => file.endsWith(`/${spec}`));

  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  if (NEEDS_BUILD.some(selected)) execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (selected(JOB_SPECS.bench)) execFileSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' });

  const jobs = (Object.keys(JOB_SPECS) as JobName[]).filter((name) => selected(JOB_SPECS[name])).map((name) => ({ name, ...startJob(name) }));
  project.provide('prebuilt', Object.fromEntries(jobs.map((job) => [job.name, job.dir])));
  return async () => {
    await Promise.all(jobs.map((job) => job.finished)); // no child process outlives the run
    for (const job of jobs) rmSync(job.dir, { recursive: true, force: true });
  };
}
