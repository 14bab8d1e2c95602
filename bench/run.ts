import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FD_MARGIN, fdLaunch, hardFdLimit } from './harness/fd-limit.js';
import { describeMachine } from './harness/machine.js';
import { type BenchMode, MODES } from './harness/modes.js';
import { BenchRedis } from './harness/redis.js';
import { CONTROL_PORT, RemoteServer, SERVE_PORT, type ServeInfo } from './harness/remote-server.js';
import { type BenchResults, renderMarkdown } from './harness/report.js';
import { type RunContext, type Scenario, SCENARIOS } from './harness/scenarios.js';
import { serveOnly } from './harness/serve-mode.js';
import type { ServerHandle } from './harness/server-handle.js';
import { ServerProcess } from './harness/server-process.js';
import { WorkerPool } from './harness/worker-pool.js';
import { SERVERS, type ServerSpec } from './servers/catalog.js';

/**
 * `npm run bench` / `npm run bench:quick`: every server, every scenario, several runs, medians and ratios.
 *   --mode full|quick|smoke   --runs N   --workers N   --servers spaces,ws-tuned   --scenarios echo,fanout
 *   --out DIR (default bench/results)   --note "text printed in the header"
 * Across two machines (see bench/README.md):
 *   --serve <scenario> [--servers id] [--host 0.0.0.0] [--port 9300] [--control-port 9309] [--serve-minutes 60]
 *   --target ws://host:port/path [--control http://host:9309]
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
    serve: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: String(SERVE_PORT) },
    'control-port': { type: 'string', default: String(CONTROL_PORT) },
    'serve-minutes': { type: 'string', default: '60' },
    target: { type: 'string' },
    control: { type: 'string' },
  },
});

const base = MODES[args.mode as BenchMode['name']];
if (!base) throw new Error(`unknown --mode ${args.mode}; one of ${Object.keys(MODES).join(', ')}`);
const mode: BenchMode = { ...base, runs: Number(args.runs ?? base.runs), workers: Number(args.workers ?? base.workers) };
const pick = <T extends { id: string }>(all: T[], list: string | undefined) => (list ? all.filter((x) => list.split(',').includes(x.id)) : all);
const log = (line: string) => process.stderr.write(line + '\n');

/** The servers that take part in a scenario: the subject, and the baselines both sides agree on. */
function serversOf(scenario: Scenario, servers: ServerSpec[]): ServerSpec[] {
  return servers.filter(
    (s) => (s.subject || (!scenario.subjectOnly && (!scenario.servers || scenario.servers.includes(s.id)))) && (!s.scenarios || s.scenarios.includes(scenario.id)),
  );
}

/** How the scenario's nodes are obtained: started here, one process each, or those `--serve` runs elsewhere. */
interface Topology {
  description: BenchResults['topology'];
  servers: ServerSpec[];
  scenarios: Scenario[];
  nodes(spec: ServerSpec, scenario: Scenario, ctx: RunContext, env?: Record<string, string>): Promise<ServerHandle[]>;
  /** Whether `nodes` can start a scenario's nodes again with another environment (`RunContext.relaunch`). */
  relaunches: boolean;
  /** The descriptors the servers get for a scenario, and why not more. */
  fds(scenario: Scenario): Pick<RunContext, 'serverFds' | 'fdReason'>;
}

function localTopology(): Topology {
  const servers = pick(SERVERS, args.servers);
  if (!servers.some((s) => s.subject)) servers.unshift(SERVERS.find((s) => s.subject)!);
  return {
    description: { kind: 'local', generator: hostname(), server: hostname(), note: 'server and load generator on the same machine, over loopback' },
    servers,
    scenarios: pick(SCENARIOS, args.scenarios),
    fds(scenario) {
      const fds = scenario.fds?.(mode);
      if (fds === undefined) return { serverFds: hardFdLimit() };
      const launch = fdLaunch(fds);
      return 'reason' in launch ? { serverFds: hardFdLimit(), fdReason: launch.reason } : { serverFds: fds };
    },
    relaunches: true,
    async nodes(spec, scenario, ctx, env) {
      // All at once: a cluster's nodes boot side by side instead of one after the other.
      const launch = { fds: ctx.fdReason ? undefined : scenario.fds?.(mode), env };
      const started = await Promise.allSettled(Array.from({ length: scenario.nodes ?? 1 }, () => ServerProcess.start(spec, launch)));
      const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await Promise.all(nodes.map((node) => node.stop()));
        throw failed.reason;
      }
      return nodes;
    },
  };
}

async function remoteTopology(target: string): Promise<Topology> {
  const control = args.control ?? `http://${new URL(target).hostname}:${CONTROL_PORT}`;
  const info: ServeInfo = await RemoteServer.info(control).catch((err: Error) => {
    throw new Error(`no --serve control endpoint at ${control} (${err.message}); start the server side first, or pass --control`);
  });
  const scenario = SCENARIOS.find((s) => s.id === info.scenario);
  if (!scenario) throw new Error(`the server side serves an unknown scenario "${info.scenario}"`);
  if (args.scenarios && args.scenarios !== scenario.id) throw new Error(`the server side serves "${scenario.id}", not "${args.scenarios}"`);
  return {
    description: { kind: 'two machines', generator: hostname(), server: new URL(target).hostname, target, control, serverMachine: info.machine, note: 'load generator on this machine, server on another (--serve/--target); the server is not restarted between runs' },
    servers: [info.spec],
    scenarios: [scenario],
    fds: () => ({ serverFds: info.serverFds, ...(info.fdReason ? { fdReason: info.fdReason } : {}) }),
    relaunches: false,
    nodes: async () => RemoteServer.nodes(info, target, control),
  };
}

async function bench(topology: Topology): Promise<void> {
  const started = Date.now();
  const { servers, scenarios } = topology;
  const outDir = args.out ?? fileURLToPath(new URL('../../bench/results/', import.meta.url));
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationS: 0,
    mode,
    machine: describeMachine(),
    topology: topology.description,
    note: args.note,
    servers,
    scenarios: scenarios.map(({ id, title, unit, higherIsBetter, pending, subjectOnly }) => ({
      id,
      title,
      unit,
      higherIsBetter,
      pending,
      subjectOnly,
      servers: scenarios.find((s) => s.id === id) ? serversOf(scenarios.find((s) => s.id === id)!, servers).map((s) => s.id) : [],
      description: SCENARIOS.find((s) => s.id === id)!.describe(mode),
    })),
    samples: {},
  };
  // Workers that must hold more sockets than the limit (the scale scenarios) are started with a raised one, if allowed.
  const perWorker = Math.max(0, ...scenarios.map((s) => Math.ceil((s.fds?.(mode) ?? 0) / mode.workers) + FD_MARGIN));
  const workerLaunch = perWorker > hardFdLimit() ? fdLaunch(perWorker) : { prefix: [] };
  const workerFds = 'prefix' in workerLaunch && workerLaunch.prefix.length > 0 ? perWorker : hardFdLimit();
  const pool = await WorkerPool.start(mode.workers, 'prefix' in workerLaunch ? workerLaunch.prefix : []);
  try {
    for (const scenario of scenarios) {
      const samples: Record<string, BenchResults['samples'][string][string]> = (results.samples[scenario.id] = {});
      if (scenario.pending) {
        log(`${scenario.id}: ${scenario.pending}`);
        continue;
      }
      const inScenario = serversOf(scenario, servers);
      const ctx: RunContext = { mode, ...topology.fds(scenario), generatorCapacity: pool.size * (workerFds - FD_MARGIN) };
      // Servers are forked with this process' environment: REDIS_URL reaches them, and them only while it runs.
      let redis: BenchRedis | undefined;
      if (scenario.needsRedis && results.topology.kind === 'local') {
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
            let nodes: ServerHandle[] = [];
            // The nodes a relaunch starts replace these, so the finally below stops whichever run last.
            const relaunch = async (env: Record<string, string>) => {
              const previous = nodes;
              nodes = [];
              await Promise.all(previous.map((node) => node.stop()));
              nodes = await topology.nodes(spec, scenario, ctx, env);
              return nodes;
            };
            try {
              nodes = await topology.nodes(spec, scenario, ctx);
              const sample = await scenario.run(nodes, pool, topology.relaunches ? { ...ctx, relaunch } : ctx);
              (samples[spec.id] ??= []).push(sample);
              log(`${scenario.id} run ${run + 1}/${mode.runs} ${spec.id}: ${sample.value.toFixed(0)} ${scenario.unit}${sample.errors ? ` (${sample.errors} errors)` : ''}`);
            } catch (err) {
              (samples[spec.id] ??= []).push(String((err as Error)?.message ?? err));
              log(`${scenario.id} run ${run + 1}/${mode.runs} ${spec.id}: FAILED ${(err as Error)?.message}`);
            } finally {
              await pool.reset().catch(() => undefined);
              await Promise.all(nodes.map((node) => node.stop()));
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

async function main(): Promise<void> {
  if (args.serve) {
    const scenario = SCENARIOS.find((s) => s.id === args.serve);
    if (!scenario) throw new Error(`unknown scenario "${args.serve}"; one of ${SCENARIOS.map((s) => s.id).join(', ')}`);
    const spec = SERVERS.find((s) => s.id === (args.servers ?? SERVERS.find((x) => x.subject)!.id));
    if (!spec) throw new Error(`unknown server "${args.servers}"; one of ${SERVERS.map((s) => s.id).join(', ')}`);
    await serveOnly({
      spec,
      scenario,
      mode,
      host: args.host!,
      port: Number(args.port),
      controlPort: Number(args['control-port']),
      forMs: Number(args['serve-minutes']) * 60_000,
      log,
    });
    return;
  }
  await bench(args.target ? await remoteTopology(args.target) : localTopology());
}

main().catch((err) => {
  log(err?.stack ?? String(err));
  process.exitCode = 1;
});
