import type { MachineInfo } from './machine.js';
import type { BenchMode } from './modes.js';
import type { Sample, Scenario, ScenarioId } from './scenarios.js';
import type { PushDesign } from './cluster-push.js';
import { median } from './stats.js';
import type { ServerSpec } from '../servers/catalog.js';

export interface BenchResults {
  startedAt: string;
  durationS: number;
  mode: BenchMode;
  machine: MachineInfo;
  /** Where the server and the load generator ran: one machine over loopback, or two (`--serve` / `--target`). */
  topology: { kind: 'local' | 'two machines'; generator: string; server: string; target?: string; control?: string; serverMachine?: unknown; note: string };
  note?: string;
  servers: ServerSpec[];
  scenarios: Array<
    Pick<Scenario, 'id' | 'title' | 'unit' | 'higherIsBetter' | 'pending' | 'subjectOnly'> & {
      /** The servers that took part (the others show "–"). */
      servers: string[];
      description: string;
    }
  >;
  /** samples[scenario][server] = one entry per run; an entry is an error text when that run failed. */
  samples: Record<string, Record<string, Array<Sample | string>>>;
}

/** The medians of one scenario on one server; NaN where no run succeeded. */
export interface Summary {
  value: number;
  p50Ms: number;
  p99Ms: number;
  cpuPct: number;
  cpuUsPerMsg: number;
  generatorCpuPct: number;
  heapPerConn: number;
  errors: number;
  runs: number;
  failures: string[];
}

export function summarize(samples: Array<Sample | string> = []): Summary {
  const ok = samples.filter((s): s is Sample => typeof s !== 'string');
  const of = (pick: (s: Sample) => number | undefined) => median(ok.map((s) => pick(s) ?? Number.NaN));
  return {
    value: of((s) => s.value),
    p50Ms: of((s) => s.p50Ms),
    p99Ms: of((s) => s.p99Ms),
    cpuPct: of((s) => s.cpuPct),
    cpuUsPerMsg: of((s) => s.cpuUsPerMsg),
    generatorCpuPct: of((s) => s.generatorCpuPct),
    heapPerConn: of((s) => s.heapPerConn),
    errors: ok.reduce((sum, s) => sum + s.errors, 0),
    runs: ok.length,
    failures: samples.filter((s): s is string => typeof s === 'string'),
  };
}

/** Subject ÷ baseline on the headline figure, whichever way is better; NaN when either side is missing. */
export function ratio(results: BenchResults, scenario: ScenarioId, baseline: string): number {
  const subject = results.servers.find((s) => s.subject)!;
  const mine = summarize(results.samples[scenario]?.[subject.id]).value;
  const theirs = summarize(results.samples[scenario]?.[baseline]).value;
  return mine / theirs;
}

interface Target {
  /** The scenario it needs in the run. */
  scenario: ScenarioId;
  /** The ratio, from the medians of the run (NaN when a side is missing). */
  ratio(results: BenchResults): number;
  /** The ratio must be at least this (or at most, when `atMost`). */
  bound: number;
  atMost?: boolean;
  text: string;
}

const subjectId = (results: BenchResults) => results.servers.find((s) => s.subject)!.id;
/** Subject ÷ baseline on any median (the headline, or server CPU µs per message, or heap per connection). */
const of = (scenario: ScenarioId, baseline: string, pick: (s: Summary) => number = (s) => s.value) => (results: BenchResults) =>
  pick(summarize(results.samples[scenario]?.[subjectId(results)])) / pick(summarize(results.samples[scenario]?.[baseline]));
const cpu = (s: Summary) => s.cpuUsPerMsg;

/** The targets of issues 7 and 15, as ratios measured in the same run. Reported, never asserted. */
export const TARGETS: Target[] = [
  { scenario: 'echo', ratio: of('echo', 'nest-ws'), bound: 1, text: 'echo replies/s ≥ Nest WsAdapter gateway' },
  { scenario: 'echo', ratio: of('echo', 'nest-ws'), bound: 1.4, text: 'echo replies/s ≥ 1.4 × Nest WsAdapter gateway (issue 15)' },
  { scenario: 'echo', ratio: of('echo', 'ws-tuned', cpu), bound: 1.1, atMost: true, text: 'echo server µs / reply ≤ 1.1 × tuned ws (issue 15)' },
  { scenario: 'fanout', ratio: of('fanout', 'ws-tuned'), bound: 0.9, text: 'fan-out deliveries/s ≥ 0.9 × tuned ws' },
  { scenario: 'fanout', ratio: of('fanout', 'socket.io'), bound: 3, text: 'fan-out deliveries/s ≥ 3 × socket.io' },
  { scenario: 'fanout10', ratio: of('fanout10', 'ws-coalesce'), bound: 0.9, text: 'fan-out at 10 per turn, deliveries/s ≥ 0.9 × ws framing once and corking per turn (issue 15)' },
  { scenario: 'fanout10', ratio: of('fanout10', 'socket.io', cpu), bound: 1 / 3, atMost: true, text: 'fan-out at 10 per turn, server µs / delivery ≤ ⅓ × socket.io (issue 15)' },
  { scenario: 'idle', ratio: of('idle', 'ws-tuned'), bound: 1.2, atMost: true, text: 'idle RSS per connection ≤ 1.2 × plain ws' },
  { scenario: 'idle', ratio: of('idle', 'ws-tuned'), bound: 1.1, atMost: true, text: 'idle RSS per connection ≤ 1.1 × plain ws (issue 15, at the idle scenario\'s count)' },
  { scenario: 'idle', ratio: of('idle', 'ws-tuned', (s) => s.heapPerConn), bound: 1.3, atMost: true, text: 'idle heap per connection ≤ 1.3 × plain ws (issue 15, at the idle scenario\'s count)' },
  {
    scenario: 'cluster',
    ratio: (results) => summarize(results.samples.cluster?.[subjectId(results)]).value / summarize(results.samples.fanout?.[subjectId(results)]).value,
    bound: 0.8,
    text: 'cluster fan-out deliveries/s ≥ 0.8 × single-node fan-out with the same connections (issue 15)',
  },
  {
    scenario: 'cluster-push',
    ratio: (results) => designMedian(results, 'interest') / designMedian(results, 'shared'),
    bound: 1,
    text: 'cluster pushUser deliveries/s, interest routing ≥ the shared channel with four nodes (issue 17)',
  },
];

/** cluster-push: the median over the runs of one design's deliveries/s (NaN when it never ran). */
function designMedian(results: BenchResults, routing: PushDesign['routing']): number {
  const samples = results.samples['cluster-push']?.[subjectId(results)] ?? [];
  return median(samples.flatMap((s) => (typeof s === 'string' ? [] : (s.designs ?? []).filter((d): d is PushDesign => typeof d !== 'string' && d.routing === routing).map((d) => d.deliveriesPerS))));
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const fmtRatio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const bytes = (n: number) => (Number.isFinite(n) ? `${(n / 1024).toFixed(1)} KiB` : '–');

export function renderMarkdown(results: BenchResults): string {
  const { machine, mode } = results;
  const subject = results.servers.find((s) => s.subject)!;
  const baselines = results.servers.filter((s) => !s.subject);
  const out: string[] = [];
  out.push(`# Benchmark results (${mode.name} mode)`, '');
  out.push(`- Started ${results.startedAt}, took ${Math.round(results.durationS)} s; medians over ${mode.runs} run(s) per cell.`);
  out.push(`- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; load average at start ${machine.loadAtStart}${machine.loadAtStart / machine.cores > 0.5 ? ' (busy: other work was running, so throughput figures are suspect; compare server µs / msg)' : ''}.`);
  const topology = results.topology;
  if (topology.kind === 'local') out.push(`- Load generator: ${mode.workers} worker processes on the same machine (loopback), so server and clients share the cores.`);
  else out.push(`- Topology: two machines. Load generator: ${mode.workers} worker processes on ${topology.generator}; server on ${topology.server} (${topology.target}), measured through ${topology.control}; the server is not restarted between runs.`);
  if (results.note) out.push(`- Note: ${results.note}`);
  out.push('');

  out.push('## Ratios: nestjs-ws-spaces ÷ baseline', '');
  const active = results.scenarios;
  out.push(`| baseline | ${active.map((s) => s.title + (s.higherIsBetter ? '' : ' (lower is better)')).join(' | ')} |`);
  out.push(`|---|${active.map(() => '---:').join('|')}|`);
  for (const baseline of baselines) {
    const cells = active.map((s) => (s.pending ? 'pending' : s.subjectOnly ? 'n/a' : !s.servers.includes(baseline.id) ? '–' : fmtRatio(ratio(results, s.id, baseline.id))));
    out.push(`| ${baseline.label} | ${cells.join(' | ')} |`);
  }
  out.push('');

  out.push('## Targets', '');
  for (const target of TARGETS) {
    if (!active.some((s) => s.id === target.scenario)) continue;
    const r = target.ratio(results);
    const met = target.atMost ? r <= target.bound : r >= target.bound;
    // Smoke sizes are far too small for a verdict; saying "met" there would be read as a result.
    const verdict = mode.name === 'smoke' ? 'not judged in smoke mode' : !Number.isFinite(r) ? 'not measured' : met ? 'met' : 'missed';
    out.push(`- ${target.text}: ${fmtRatio(r)} — ${verdict}`);
  }
  out.push('');

  for (const scenario of active) {
    out.push(`## ${scenario.title}`, '', scenario.description + '.', '');
    if (scenario.pending) {
      out.push(`_${scenario.pending}._`, '');
      continue;
    }
    // A subject-only scenario (no baseline has the feature) lists the module alone.
    const listed = results.servers.filter((server) => scenario.servers.includes(server.id));
    const rows = listed.map((server) => ({ server, summary: summarize(results.samples[scenario.id]?.[server.id]) }));
    const mine = rows.find((r) => r.server.id === subject.id)!.summary.value;
    const ratioCell = (value: number) => fmtRatio(mine / value);
    if (scenario.id === 'idle' || scenario.id === 'idle-curve') {
      out.push('| server | RSS / connection | heap / connection | spaces ÷ server (RSS) |', '|---|---:|---:|---:|');
      for (const { server, summary } of rows) {
        out.push(`| ${server.label} | ${bytes(summary.value)} | ${bytes(summary.heapPerConn)} | ${server.subject ? '' : ratioCell(summary.value)} |`);
      }
    } else {
      out.push(`| server | ${scenario.unit} | p50 ms | p99 ms | server CPU | server µs / msg | generator CPU | errors | spaces ÷ server |`, '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const { server, summary } of rows) {
        out.push(
          `| ${server.label} | ${fmt(summary.value)} | ${fmt(summary.p50Ms, 2)} | ${fmt(summary.p99Ms, 2)} | ${fmt(summary.cpuPct)} % | ${fmt(summary.cpuUsPerMsg, 1)} | ${fmt(summary.generatorCpuPct)} % | ${summary.errors} | ${server.subject ? '' : ratioCell(summary.value)} |`,
        );
      }
    }
    const entries = rows.flatMap(({ server }) => (results.samples[scenario.id]?.[server.id] ?? []).map((sample, run) => ({ server, run, sample })));
    if (scenario.id === 'idle-curve') out.push('', ...renderCurve(entries));
    if (scenario.id === 'cluster') out.push('', ...renderAccounting(entries));
    if (scenario.id === 'cluster-push') out.push('', ...renderDesigns(entries));
    const failures = rows.flatMap(({ server, summary }) => summary.failures.map((f) => `${server.label}: ${f}`));
    if (failures.length > 0) out.push('', ...failures.map((f) => `- failed run: ${f}`));
    out.push('');
  }
  return out.join('\n');
}

/** The idle-memory curve: per-connection RSS and heap at each step, per server and run. */
function renderCurve(entries: Array<{ server: ServerSpec; run: number; sample: Sample | string }>): string[] {
  const measured = entries.filter((e): e is { server: ServerSpec; run: number; sample: Sample } => typeof e.sample !== 'string' && !!e.sample.curve);
  if (measured.length === 0) return [];
  const steps = measured[0].sample.curve!.map((p) => p.connections);
  const out = [`| server (run) | ${steps.map((n) => `${n.toLocaleString('en-US')}: RSS / heap per connection`).join(' | ')} |`, `|---|${steps.map(() => '---:').join('|')}|`];
  const skipped: string[] = [];
  for (const { server, run, sample } of measured) {
    const cells = sample.curve!.map((p) => {
      if (p.rssPerConn === undefined) {
        skipped.push(`${server.label}, ${p.connections.toLocaleString('en-US')} connections: not run, ${p.skipped}`);
        return 'not run';
      }
      return `${bytes(p.rssPerConn)} / ${bytes(p.heapPerConn ?? Number.NaN)}`;
    });
    out.push(`| ${server.label} (${run + 1}) | ${cells.join(' | ')} |`);
  }
  return [...out, ...(skipped.length ? ['', ...skipped.map((s) => `- ${s}`)] : [])];
}

/** Cluster fan-out: where every delivery went, per run and node (sent, expected, received, the node's counters). */
function renderAccounting(entries: Array<{ server: ServerSpec; run: number; sample: Sample | string }>): string[] {
  const keys = ['messagesOut', 'dropped', 'slowClosed', 'clusterPublished', 'clusterFailures', 'clusterReceived', 'seqGaps'];
  const out = [`| run | node | publishes sent | expected | received | missing | ${keys.join(' | ')} |`, `|---|---|---:|---:|---:|---:|${keys.map(() => '---:').join('|')}|`];
  let rows = 0;
  for (const { run, sample } of entries) {
    if (typeof sample === 'string' || !sample.accounting) continue;
    sample.accounting.nodes.forEach((node, i) => {
      rows++;
      const counters = keys.map((k) => (node.counters ? fmt(node.counters[k] ?? 0) : '–'));
      out.push(`| ${run + 1} | ${i + 1} | ${i === 0 ? fmt(sample.accounting!.sent) : ''} | ${fmt(node.expected)} | ${fmt(node.received)} | ${fmt(node.expected - node.received)} | ${counters.join(' | ')} |`);
    });
  }
  const logged = entries.flatMap(({ run, sample }) =>
    typeof sample === 'string' || !sample.accounting ? [] : sample.accounting.nodes.flatMap((node, i) => (node.log ?? []).map((line) => `- run ${run + 1}, node ${i + 1}: ${line}`)),
  );
  if (logged.length) out.push('', 'What the nodes logged during the runs:', '', ...logged);
  return rows ? ['Where the deliveries went (counters are the node\'s `/ws/metrics`, after minus before the run):', '', ...out] : [];
}

/** cluster-push: each routing design per run, with what one pushUser cost the nodes and Redis. */
function renderDesigns(entries: Array<{ server: ServerSpec; run: number; sample: Sample | string }>): string[] {
  const out = [
    '| run | redis.routing | deliveries/s | p50 ms | p99 ms | nodes\' CPU | nodes\' µs / delivery | PUBLISH / pushUser | copies to nodes / pushUser | on the shared channel | Redis µs / pushUser | Redis CPU | generator CPU | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notMeasured: string[] = [];
  for (const { run, sample } of entries) {
    if (typeof sample === 'string') continue;
    for (const design of sample.designs ?? []) {
      if (typeof design === 'string') {
        notMeasured.push(`- run ${run + 1}: ${design}`);
        continue;
      }
      const r = design.redis;
      out.push(
        `| ${run + 1} | ${design.routing} | ${fmt(design.deliveriesPerS)} | ${fmt(design.p50Ms, 2)} | ${fmt(design.p99Ms, 2)} | ${fmt(design.nodesCpuPct)} % | ${fmt(design.nodesUsPerDelivery, 1)} | ${r ? fmt(r.publishesPerPush, 2) : '–'} | ${r ? fmt(r.copiesPerPush, 2) : '–'} | ${r ? `${fmt(r.sharedShare * 100, 1)} %` : '–'} | ${r ? fmt(r.usPerPush, 1) : '–'} | ${r ? `${fmt(r.cpuPct)} %` : '–'} | ${fmt(design.generatorCpuPct)} % | ${design.errors} |`,
      );
    }
  }
  if (out.length === 2) return [];
  const note =
    'Per routing design (PUBLISH and copies counted by a subscriber of the bench\'s own over the window, per delivery; the copies exclude that subscriber\'s own, which Redis\' CPU includes):';
  return [note, '', ...out, ...(notMeasured.length ? ['', ...notMeasured] : [])];
}
