import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prebuilt } from '../helpers/prebuilt.js';

// A does-it-run check: the smoke mode is tiny and its figures mean nothing, so nothing here looks at speed.
describe('npm run bench (smoke mode)', () => {
  let markdown: string;
  let results: any;

  beforeAll(async () => {
    // The bench runs the built library as a user would load it; the global setup built it and started the run.
    const out = await prebuilt('bench');
    markdown = readFileSync(join(out, 'latest.md'), 'utf8');
    results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
  }, 180_000);

  it('describes the machine it ran on', () => {
    expect(markdown).toMatch(/Machine: .+, \d+ cores, .+; Node v\d+/);
    expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
  });

  it('gives a ratio of the module to every baseline in every scenario, and n/a for the module-only cluster scenario', () => {
    const baselines = results.servers.filter((s: { subject?: boolean }) => !s.subject);
    expect(baselines.map((b: { id: string }) => b.id)).toEqual(['nest-ws', 'ws-naive', 'ws-tuned', 'socket.io']);
    const header = markdown.split('\n').find((line) => line.startsWith('| baseline |'))!;
    const columns = header.split('|').slice(2, -1).map((cell) => cell.trim());
    expect(columns).toHaveLength(5);
    for (const baseline of baselines) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${baseline.label} |`));
      expect(row, baseline.label).toBeDefined();
      const cells = row!.split('|').slice(2, -1).map((cell) => cell.trim());
      expect(cells.slice(0, 4).every((cell) => /^\d+\.\d\d×$/.test(cell)), row).toBe(true);
      expect(cells[4]).toBe('n/a');
    }
  });

  it('measured every server in every runnable scenario without a failed run', () => {
    for (const scenario of results.scenarios.filter((s: { pending?: string }) => !s.pending)) {
      const servers = scenario.subjectOnly ? results.servers.filter((s: { subject?: boolean }) => s.subject) : results.servers;
      expect(servers.length, scenario.id).toBeGreaterThan(0);
      for (const server of servers) {
        const samples = results.samples[scenario.id][server.id];
        expect(samples, `${scenario.id} on ${server.id}`).toHaveLength(1);
        expect(samples[0], `${scenario.id} on ${server.id}`).toMatchObject({ value: expect.any(Number) });
        // Throughputs are positive; a smoke-size RSS delta moves in whole pages and may be 0 (or below, after a GC).
        if (scenario.higherIsBetter) expect(samples[0].value).toBeGreaterThan(0);
        else expect(Number.isFinite(samples[0].value)).toBe(true);
      }
    }
  });
});
