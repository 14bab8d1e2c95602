import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { ServerSpec } from '../servers/catalog.js';
import { fdLaunch, hardFdLimit } from './fd-limit.js';
import { describeMachine } from './machine.js';
import type { BenchMode } from './modes.js';
import { BenchRedis } from './redis.js';
import type { ServeInfo } from './remote-server.js';
import type { Scenario } from './scenarios.js';
import { ServerProcess } from './server-process.js';

export interface ServeOptions {
  spec: ServerSpec;
  scenario: Scenario;
  mode: BenchMode;
  host: string;
  port: number;
  controlPort: number;
  /** The server stops by itself after this long, so a forgotten one does not run for ever. */
  forMs: number;
  log: (line: string) => void;
}

/** An address the generator machine can use to reach this one (the first non-internal IPv4), for the printout. */
function publicAddress(host: string): string {
  if (host !== '0.0.0.0') return host;
  const all = Object.values(networkInterfaces()).flat();
  return all.find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
}

/**
 * `--serve <scenario>`: only the server side. Starts the node(s) the scenario needs (and its redis-server), bound
 * to `host`, plus a small HTTP control endpoint the generator reads CPU time and memory from; prints the URLs and
 * runs until interrupted or `forMs` has passed.
 */
export async function serveOnly(options: ServeOptions): Promise<void> {
  const { spec, scenario, mode, host, log } = options;
  const fds = scenario.fds?.(mode);
  const launch = fds === undefined ? { prefix: [] } : fdLaunch(fds);
  const fdReason = 'reason' in launch ? launch.reason : undefined;
  let redis: BenchRedis | undefined;
  const nodes: ServerProcess[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  };
  try {
    if (scenario.needsRedis) {
      redis = await BenchRedis.start();
      process.env.REDIS_URL = redis.url;
    }
    for (let i = 0; i < (scenario.nodes ?? 1); i++) {
      nodes.push(await ServerProcess.start(spec, { host, port: options.port ? options.port + i : 0, fds: fdReason ? undefined : fds }));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const info: ServeInfo = {
    spec,
    scenario: scenario.id,
    nodes: nodes.map((node) => ({ port: node.port, path: new URL(node.url).pathname })),
    serverFds: fdReason ? hardFdLimit() : (fds ?? hardFdLimit()),
    ...(fdReason ? { fdReason } : {}),
    machine: describeMachine(),
  };
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const node = nodes[Number(url.searchParams.get('node') ?? 0)];
    const reply = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const fail = (err: unknown) => res.writeHead(500).end(String((err as Error)?.message ?? err));
    if (url.pathname === '/info') return reply(info);
    if (!node) return res.writeHead(404).end('no such node');
    if (url.pathname === '/cpu') return void node.cpu().then((cpuUs) => reply({ cpuUs }), fail);
    if (url.pathname === '/memory') return void node.memory().then((memory) => reply({ memory }), fail);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => control.once('error', reject).listen(options.controlPort, host, resolve));
  const address = publicAddress(host);
  log(`serving ${spec.id} for the ${scenario.id} scenario (${mode.name} sizes) until Ctrl-C or ${Math.round(options.forMs / 60_000)} min:`);
  nodes.forEach((node, i) => log(`  node ${i}: ${node.url.replace('127.0.0.1', address)}`));
  log(`  control: http://${address}:${options.controlPort}`);
  if (fdReason) log(`  file descriptors: ${fdReason}`);
  log(`on the generator machine: npm run bench -- --target ${nodes[0].url.replace('127.0.0.1', address)} --scenarios ${scenario.id} --mode ${mode.name}`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.forMs);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (clearTimeout(timer), resolve()));
  });
  control.close();
  await stopAll();
}
