import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './harness/machine.js';
import { type BenchMode, MODES } from './harness/modes.js';
import { type BenchResults, renderMarkdown } from './harness/report.js';
import { SCENARIOS } from './harness/scenarios.js';
import { BenchRedis } from './harness/redis.js';
import { ServerProcess } from './harness/server-process.js';
import { WorkerPool } from './harness/worker-pool.js';
import { SERVERS } from './servers/catalog.js';

/**
 * `npm run bench` / `npm run bench:quick`: every server, every scenario, several runs, medians and ratios.
 *   --mode full|quick|smoke   --runs N   --workers N   --servers spaces,ws-tuned   --scenarios echo,fanout
 *   --out DIR (default bench/results)   --note "text printed in the header"
 */
const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'full' },
    runs: { type: 'string' },
    workers: { type: 'string' },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    out: { type: 'string' },
    note: { type: 'string' },
  },
});

const base = MODES[args.mode as BenchMode['name']];
if (!base) throw new Error(`unknown --mode ${args.mode}; one of ${Object.keys(MODES).join(', ')}`);
const mode: BenchMode = { ...base, runs: Number(args.runs ?? base.runs), workers: Number(args.workers ?? base.workers) };
const pick = <T extends { id: string }>(all: T[], list: string | undefined) => (list ? all.filter((x) => list.split(',').includes(x.id)) : all);
const servers = pick(SERVERS, args.servers);
const scenarios = pick(SCENARIOS, args.scenarios);
if (!servers.some((s) => s.subject)) servers.unshift(SERVERS.find((s) => s.subject)!);
const outDir = args.out ?? fileURLToPath(new URL('../../bench/results/', import.meta.url));

const log = (line: string) => process.stderr.write(line + '\n');

async function main(): Promise<void> {
  const started = Date.now();
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationS: 0,
    mode,
    machine: describeMachine(),
    note: args.note,
    servers,
    scenarios: scenarios.map(({ id, title, unit, higherIsBetter, pending, subjectOnly }) => ({ id, title, unit, higherIsBetter, pending, subjectOnly, description: SCENARIOS.find((s) => s.id === id)!.describe(mode) })),
    samples: {},
  };
  const pool = await WorkerPool.start(mode.workers);
  try {
    for (const scenario of scenarios) {
      const samples: Record<string, BenchResults['samples'][string][string]> = (results.samples[scenario.id] = {});
      if (scenario.pending) {
        log(`${scenario.id}: ${scenario.pending}`);
        continue;
      }
      const inScenario = scenario.subjectOnly ? servers.filter((s) => s.subject) : servers;
      // Servers are forked with this process' environment: REDIS_URL reaches them, and them only while it runs.
      let redis: BenchRedis | undefined;
      if (scenario.needsRedis) {
        try {
          redis = await BenchRedis.start();
        } catch (err) {
          // No redis-server on this machine: the scenario reads as failed, the rest of the bench goes on.
          for (const spec of inScenario) samples[spec.id] = [`no redis-server: ${(err as Error).message}`];
          log(`${scenario.id}: skipped, ${(err as Error).message}`);
          continue;
        }
        process.env.REDIS_URL = redis.url;
      }
      try {
      for (let run = 0; run < mode.runs; run++) {
        // Rotate the order each run so no server always goes first (or right after the heaviest one).
        const order = inScenario.map((_, i) => inScenario[(i + run) % inScenario.length]);
        for (const spec of order) {
          let server: ServerProcess | undefined;
          try {
            server = await ServerProcess.start(spec);
            const sample = await scenario.run(server, pool, mode);
            (samples[spec.id] ??= []).push(sample);
            log(`${scenario.id} run ${run + 1}/${mode.runs} ${spec.id}: ${sample.value.toFixed(0)} ${scenario.unit}${sample.errors ? ` (${sample.errors} errors)` : ''}`);
          } catch (err) {
            (samples[spec.id] ??= []).push(String((err as Error)?.message ?? err));
            log(`${scenario.id} run ${run + 1}/${mode.runs} ${spec.id}: FAILED ${(err as Error)?.message}`);
          } finally {
            await pool.reset().catch(() => undefined);
            await server?.stop();
          }
        }
      }
      } finally {
        delete process.env.REDIS_URL;
        await redis?.stop();
      }
    }
  } finally {
    await pool.stop();
  }
  results.durationS = (Date.now() - started) / 1e3;
  const markdown = renderMarkdown(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.md'), markdown + '\n');
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(markdown + '\n');
  log(`written to ${outDir}`);
}

main().catch((err) => {
  log(err?.stack ?? String(err));
  process.exitCode = 1;
});
