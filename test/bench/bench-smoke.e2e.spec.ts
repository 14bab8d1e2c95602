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

  it('gives a ratio of the module to every baseline in each scenario it takes part in, "–" elsewhere, n/a for the module-only cluster', () => {
    const baselines = results.servers.filter((s: { subject?: boolean }) => !s.subject);
    expect(baselines.map((b: { id: string }) => b.id)).toEqual(['nest-ws', 'ws-naive', 'ws-tuned', 'socket.io', 'ws-coalesce']);
    const header = markdown.split('\n').find((line) => line.startsWith('| baseline |'))!;
    expect(header.split('|').slice(2, -1)).toHaveLength(results.scenarios.length);
    for (const baseline of baselines) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${baseline.label} |`));
      expect(row, baseline.label).toBeDefined();
      const cells = row!.split('|').slice(2, -1).map((cell) => cell.trim());
      results.scenarios.forEach((scenario: { id: string; subjectOnly?: boolean; servers: string[] }, i: number) => {
        const expected = scenario.subjectOnly ? /^n\/a$/ : scenario.servers.includes(baseline.id) ? /^\d+\.\d\d×$/ : /^–$/;
        expect(cells[i], `${baseline.id} in ${scenario.id}`).toMatch(expected);
      });
    }
  });

  it('runs fan-out at 10 per turn beside the coalescing ws server and socket.io, and names the issue 15 targets', () => {
    expect(results.scenarios.find((s: { id: string }) => s.id === 'fanout10').servers).toEqual(['spaces', 'ws-tuned', 'socket.io', 'ws-coalesce']);
    expect(markdown).toContain('fan-out at 10 per turn, deliveries/s ≥ 0.9 × ws framing once and corking per turn');
    expect(markdown).toContain('fan-out at 10 per turn, server µs / delivery ≤ ⅓ × socket.io');
  });

  it('accounts for every cluster delivery per node from counters: sent, received, seqGaps', () => {
    const [sample] = results.samples.cluster.spaces;
    expect(sample.accounting.sent).toBe(results.mode.fanout.messages);
    expect(sample.accounting.nodes).toHaveLength(2);
    for (const node of sample.accounting.nodes) {
      expect(node.subscribers).toBeGreaterThan(0);
      expect(node.received).toBe(node.expected);
      expect(node.counters).toMatchObject({ seqGaps: 0, dropped: 0 });
    }
    expect(sample.accounting.nodes[1].counters.clusterReceived).toBe(results.mode.fanout.messages);
  });

  it('measures cross-node pushUser under both routing designs on four nodes, with Redis messages counted', () => {
    const [sample] = results.samples['cluster-push'].spaces;
    expect(sample.designs.map((d: { routing: string }) => d.routing)).toEqual(['interest', 'shared']);
    for (const design of sample.designs) {
      expect(design, design.routing).toMatchObject({ nodes: 4, redis: { publishesPerPush: expect.any(Number) } });
      expect(design.deliveriesPerS).toBeGreaterThan(0);
    }
    // Every shared publication is on the one channel all four nodes subscribe to: four copies out per message in.
    const shared = sample.designs[1].redis;
    expect(shared.sharedShare).toBe(1);
    expect(shared.copiesPerPush / shared.publishesPerPush).toBeCloseTo(4, 6);
    expect(markdown).toContain('cluster pushUser deliveries/s, interest routing ≥ the shared channel with four nodes (issue 17)');
  });

  it('draws the idle-memory curve at every step of the mode, and topology says where things ran', () => {
    for (const server of ['spaces', 'ws-tuned']) {
      const [sample] = results.samples['idle-curve'][server];
      expect(sample.curve.map((p: { connections: number }) => p.connections)).toEqual(results.mode.scale.idleCurve);
      for (const point of sample.curve) expect(point.rssPerConn, `${server} at ${point.connections}`).toEqual(expect.any(Number));
    }
    expect(results.topology).toMatchObject({ kind: 'local' });
  });

  it('measured every server taking part in every runnable scenario without a failed run', () => {
    for (const scenario of results.scenarios.filter((s: { pending?: string }) => !s.pending)) {
      const servers = results.servers.filter((s: { id: string }) => scenario.servers.includes(s.id));
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
