// npm run sample:cluster — two sample nodes joined through Redis, for trying multi-node dispatch by hand.
// Uses REDIS_URL when set; otherwise starts a redis-server of its own on port 6390. Ctrl-C stops everything.
import { spawn } from 'node:child_process';

const children = [];
const start = (command, args, env = {}) => {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  children.push(child);
  return child;
};
const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  start('redis-server', ['--port', '6390', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  redisUrl = 'redis://127.0.0.1:6390';
  await new Promise((resolve) => setTimeout(resolve, 300));
}
for (const port of ['3001', '3002']) start(process.execPath, ['dist/sample/main.js'], { PORT: port, REDIS_URL: redisUrl });
console.log(`two nodes: http://localhost:3001 and http://localhost:3002, joined through ${redisUrl}`);
