import type { MachineInfo } from './machine.js';
import type { BenchMode } from './modes.js';
import type { Sample, Scenario, ScenarioId } from './scenarios.js';
import { median } from './stats.js';
import type { ServerSpec } from '../servers/catalog.js';

export interface BenchResults {
  startedAt: string;
  durationS: number;
  mode: BenchMode;
  machine: MachineInfo;
  note?: string;
  servers: ServerSpec[];
  scenarios: Array<{ id: ScenarioId; title: string; unit: string; higherIsBetter: boolean; pending?: string; subjectOnly?: boolean; description: string }>;
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
  scenario: ScenarioId;
  baseline: string;
  /** The ratio must be at least this (or at most, when `atMost`). */
  bound: number;
  atMost?: boolean;
  text: string;
}

/** The targets of issue 7, as ratios measured in the same run. */
export const TARGETS: Target[] = [
  { scenario: 'echo', baseline: 'nest-ws', bound: 1, text: 'echo replies/s ≥ Nest WsAdapter gateway' },
  { scenario: 'fanout', baseline: 'ws-tuned', bound: 0.9, text: 'fan-out deliveries/s ≥ 0.9 × tuned ws' },
  { scenario: 'fanout', baseline: 'socket.io', bound: 3, text: 'fan-out deliveries/s ≥ 3 × socket.io' },
  { scenario: 'idle', baseline: 'ws-tuned', bound: 1.2, atMost: true, text: 'idle RSS per connection ≤ 1.2 × plain ws' },
];

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
  out.push(`- Load generator: ${mode.workers} worker processes on the same machine (loopback), so server and clients share the cores.`);
  if (results.note) out.push(`- Note: ${results.note}`);
  out.push('');

  out.push('## Ratios: nestjs-ws-spaces ÷ baseline', '');
  const active = results.scenarios;
  out.push(`| baseline | ${active.map((s) => s.title + (s.higherIsBetter ? '' : ' (lower is better)')).join(' | ')} |`);
  out.push(`|---|${active.map(() => '---:').join('|')}|`);
  for (const baseline of baselines) {
    const cells = active.map((s) => (s.pending ? 'pending' : s.subjectOnly ? 'n/a' : fmtRatio(ratio(results, s.id, baseline.id))));
    out.push(`| ${baseline.label} | ${cells.join(' | ')} |`);
  }
  out.push('');

  out.push('## Targets', '');
  for (const target of TARGETS) {
    if (!active.some((s) => s.id === target.scenario) || !baselines.some((b) => b.id === target.baseline)) continue;
    const r = ratio(results, target.scenario, target.baseline);
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
    const listed = scenario.subjectOnly ? results.servers.filter((server) => server.subject) : results.servers;
    const rows = listed.map((server) => ({ server, summary: summarize(results.samples[scenario.id]?.[server.id]) }));
    const mine = rows.find((r) => r.server.id === subject.id)!.summary.value;
    const ratioCell = (value: number) => fmtRatio(mine / value);
    if (scenario.id === 'idle') {
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
    const failures = rows.flatMap(({ server, summary }) => summary.failures.map((f) => `${server.label}: ${f}`));
    if (failures.length > 0) out.push('', ...failures.map((f) => `- failed run: ${f}`));
    out.push('');
  }
  return out.join('\n');
}
