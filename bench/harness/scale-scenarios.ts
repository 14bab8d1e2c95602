import { sleep } from './clock.js';
import { runFanout } from './fanout-run.js';
import { FD_MARGIN } from './fd-limit.js';
import { connectAcross, loopbackSources } from './scenario-kit.js';
import type { CurvePoint, RunContext, Scenario } from './scenarios.js';

/**
 * The scenarios past a small box: fan-out to 10,000 subscribers, and idle memory at 1k / 10k / 50k connections.
 * They need more file descriptors than a default limit and, on loopback, more than one source address; a point this
 * machine cannot reach is reported with the reason, not attempted.
 */

/** Why `connections` cannot be held here, or undefined when they can. */
function outOfReach(connections: number, ctx: RunContext): string | undefined {
  if (connections + FD_MARGIN > ctx.serverFds) return ctx.fdReason ?? `the server can hold ${ctx.serverFds - FD_MARGIN} connections`;
  if (connections > ctx.generatorCapacity) return `the load workers can hold ${ctx.generatorCapacity} connections between them (raise --workers or their fd limit)`;
  return undefined;
}

export const scaleFanout: Scenario = {
  id: 'fanout-10k',
  title: 'Fan-out to many subscribers',
  unit: 'deliveries/s',
  higherIsBetter: true,
  servers: ['ws-tuned'],
  fds: (mode) => mode.scale.fanout.subscribers + 2 + FD_MARGIN,
  describe: ({ scale: { fanout: f } }) =>
    `${f.subscribers.toLocaleString('en-US')} connections (over several 127.0.0.x source addresses past 25,000); one more publishes ${f.messages} broadcasts, ${f.window} in flight`,
  async run(nodes, pool, ctx) {
    const size = ctx.mode.scale.fanout;
    const why = outOfReach(size.subscribers + 1, ctx);
    if (why) throw new Error(`${size.subscribers} subscribers out of reach: ${why}`);
    return runFanout(nodes, pool, ctx.mode, size);
  },
};

export const idleCurve: Scenario = {
  id: 'idle-curve',
  title: 'Idle memory curve',
  unit: 'bytes RSS / connection',
  higherIsBetter: false,
  servers: ['ws-tuned'],
  fds: (mode) => Math.max(...mode.scale.idleCurve) + FD_MARGIN,
  describe: ({ scale }) =>
    `idle connections added in steps to ${scale.idleCurve.map((n) => n.toLocaleString('en-US')).join(' / ')}; at each step server RSS and heap after a full GC, minus the same before connecting, per connection (the headline is the largest step reached)`,
  async run([server], pool, ctx) {
    const { idleCurve: steps, settleMs, connectTimeoutMs } = ctx.mode.scale;
    const before = await server.memory();
    const curve: CurvePoint[] = [];
    let open = 0;
    for (const connections of steps) {
      const why = outOfReach(connections, ctx);
      if (why) {
        curve.push({ connections, skipped: why });
        continue;
      }
      try {
        await connectAcross(pool, server, connections - open, { firstIndex: open, localAddresses: loopbackSources(server.url, connections) }, connectTimeoutMs);
      } catch (err) {
        curve.push({ connections, skipped: (err as Error).message });
        break;
      }
      open = connections;
      await sleep(settleMs);
      const now = await server.memory();
      curve.push({ connections, rssPerConn: (now.rss - before.rss) / connections, heapPerConn: (now.heapUsed - before.heapUsed) / connections });
    }
    const last = curve.filter((p) => p.rssPerConn !== undefined).at(-1);
    if (!last) throw new Error(`no step of the curve ran: ${curve.map((p) => `${p.connections}: ${p.skipped}`).join('; ')}`);
    return { value: last.rssPerConn!, heapPerConn: last.heapPerConn, errors: 0, curve };
  },
};
