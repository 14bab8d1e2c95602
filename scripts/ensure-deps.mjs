#!/usr/bin/env node
// Makes a fresh clone runnable: `npm start` and `npm test` call this first (prestart/pretest), and so does
// .ci/run. It uses nothing but Node's builtins, because it runs before node_modules exists.
//
//   node scripts/ensure-deps.mjs          npm dependencies: `npm ci` when node_modules is missing or stale
//   node scripts/ensure-deps.mjs --test   the same, plus what the tests run: redis-server and chromium
//
// A missing system tool is installed with apt-get when we are root and apt-get exists; otherwise one line says
// what is missing and how to get it, and the exit code is 1. Nothing is skipped silently.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, onPath } from './find-tool.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');

const fail = (line) => {
  console.error(`ensure-deps: ${line}`);
  process.exit(1);
};

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: install Node >= 20.19 (https://nodejs.org)`);

// --- npm dependencies --------------------------------------------------------------------------------------

/** Why node_modules does not match package-lock.json, or undefined when it does. */
function npmStaleness() {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return 'node_modules is missing';
  // npm keeps the installed tree in node_modules/.package-lock.json: compare it entry by entry with the lock,
  // so an install made by another command (or a symlinked node_modules) that matches counts as fresh.
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(hidden, 'utf8')).packages ?? {};
  for (const [path, entry] of Object.entries(lock)) {
    if (path === '' || entry.link) continue;
    const have = installed[path];
    // Optional packages for other platforms (e.g. esbuild's binaries) are legitimately absent.
    if (!have) {
      if (entry.optional) continue;
      return `${path} is not installed`;
    }
    if (have.version !== entry.version) return `${path} is ${have.version}, package-lock.json wants ${entry.version}`;
    if (!existsSync(join(root, path))) return `${path} is missing`;
  }
  return undefined;
}

function npmCi(reason) {
  console.log(`ensure-deps: ${reason}: running npm ci`);
  // Called from an npm script, npm_execpath is the npm that runs us (works on every OS without a shell).
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  const result = spawnSync(command, [...args, 'ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    shell: command === 'npm' && process.platform === 'win32',
  });
  if (result.status !== 0) fail('npm ci failed (see above); fix that, then run the command again');
}

const stale = npmStaleness();
if (stale) npmCi(stale);

// --- system tools the tests run ----------------------------------------------------------------------------

if (forTests) {
  // Debian package → the check that says it is there.
  const tools = [
    { pkg: 'redis-server', present: () => onPath('redis-server'), what: 'redis-server (the cluster specs start their own)' },
    { pkg: 'chromium', present: findChromium, what: 'chromium (the demo page spec drives it; or set CHROMIUM_PATH)' },
  ];
  let missing = tools.filter((t) => !t.present());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (missing.length > 0 && isRoot && onPath('apt-get')) {
    const pkgs = missing.map((t) => t.pkg);
    console.log(`ensure-deps: installing ${pkgs.join(' ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
    missing = tools.filter((t) => !t.present());
  }
  if (missing.length > 0) {
    fail(
      `the tests need ${missing.map((t) => t.what).join(' and ')}, not found: ` +
        `install ${missing.map((t) => t.pkg).join(' ')} (Debian/Ubuntu: sudo apt-get install ${missing.map((t) => t.pkg).join(' ')}), then run npm test again`,
    );
  }
}
