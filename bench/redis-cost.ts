import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { BenchRedis } from './harness/redis.js';

/**
 * What one Redis core spends per dispatch message, by how many subscribers its channel has: the per-message figures
 * README's "Scaling out" extrapolates from. `npm run bench:build && node dist/bench/redis-cost.js`
 *   --messages N (default 100000 per cell)   --bytes B (default 270: a pushUser packet with a 64-character text)
 *   --subscribers 0,1,2,4,8,16
 * A redis-server of its own on a free loopback port (stopped by its PID); k subscribers on one channel, raw sockets
 * that read and discard, so no client parsing competes with Redis for the cores; redis-benchmark publishes N
 * messages unpipelined (one PUBLISH per write, as a node publishes today) and 16 deep (what sending a turn's packets
 * in one write would give). The figure is Redis' own CPU time (INFO cpu) per PUBLISH, which other load on the
 * machine skews far less than requests per second.
 */
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    bytes: { type: 'string', default: '270' },
    subscribers: { type: 'string', default: '0,1,2,4,8,16' },
  },
});
const run = promisify(execFile);
const CHANNEL = 'cost:_ws.dispatch';
const messages = Number(args.messages);
const payload = 'x'.repeat(Number(args.bytes));

/** A subscriber that costs its process almost nothing: subscribes, then reads and drops whatever comes. */
function subscriber(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(`SUBSCRIBE ${CHANNEL}\r\n`));
    socket.once('error', reject);
    socket.once('data', () => {
      socket.on('data', () => undefined);
      resolve(socket);
    });
  });
}

async function cpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

async function main(): Promise<void> {
  const server = await BenchRedis.start();
  const port = Number(new URL(server.url).port);
  const commands = new Redis(port, '127.0.0.1');
  const sockets: Socket[] = [];
  const rows: string[] = ['| subscribers | µs / PUBLISH, one per write | µs / PUBLISH, 16 per write | PUBLISH/s, one per write (client-bound here) |', '|---:|---:|---:|---:|'];
  try {
    for (const k of args.subscribers!.split(',').map(Number)) {
      while (sockets.length < k) sockets.push(await subscriber(port));
      const cells: string[] = [];
      let rate = '';
      for (const pipeline of [1, 16]) {
        const before = await cpuUs(commands);
        const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '8', '-n', String(messages), '-P', String(pipeline), '-q', 'PUBLISH', CHANNEL, payload], { timeout: 120_000, maxBuffer: 1 << 20 });
        const used = (await cpuUs(commands)) - before;
        cells.push(((used / messages)).toFixed(2));
        if (pipeline === 1) rate = /([\d.]+) requests per second/.exec(stdout)?.[1] ?? '?';
      }
      rows.push(`| ${k} | ${cells[0]} | ${cells[1]} | ${Number(rate).toLocaleString('en-US', { maximumFractionDigits: 0 })} |`);
      process.stderr.write(`${k} subscribers done\n`);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    commands.disconnect();
    await server.stop();
  }
  process.stdout.write(`Redis CPU per PUBLISH of ${payload.length} bytes, ${messages} per cell, 8 publishing connections:\n\n${rows.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
