import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCalcApp } from './client-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `nestjs-ws-spaces/client` as an app imports it: through the package's exports map, from the build, in a plain
 * Node process (Node 20 has no global WebSocket, so this is the `ws` path) with nothing of Nest loaded.
 */
describe("The package's ./client entry", () => {
  let app: INestApplication;
  let url: (path?: string) => string;
  beforeAll(async () => ({ app, url } = await startCalcApp()));
  afterAll(() => app.close());

  it('imports in plain Node and talks to the server, loading no Nest module', async () => {
    const script = `
      import { WsClient, WsRequestError } from 'nestjs-ws-spaces/client';
      const ws = new WsClient(process.argv[1]);
      const sum = await ws.request('calc.add', { a: 40, b: 2 });
      const denied = await ws.request('err.deny').catch((e) => e);
      await ws.close();
      console.log(JSON.stringify({ sum, denied: denied instanceof WsRequestError && denied.code }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, url()], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({ sum: { sum: 42 }, denied: 403 });
  });

  it('imports nothing but its own folder: no Nest, no server code, no Node builtin (ws only on demand)', () => {
    const dir = fileURLToPath(new URL('../../dist/lib/client/', import.meta.url));
    const specifiers = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(dir + f, 'utf8').matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]));
    expect(specifiers.length).toBeGreaterThan(5);
    expect(specifiers.filter((s) => !/^\.\/[a-z-]+\.js$/.test(s))).toEqual([]);
  });
});
