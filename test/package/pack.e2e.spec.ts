import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { prebuilt } from '../helpers/prebuilt.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';

const run = promisify(execFile);

/**
 * Packs the library with `npm pack`, installs the tarball into a new app beside the peer dependencies an app
 * would have, compiles that app with strict type checks against the shipped declarations, and talks to it. The
 * packing, installing and compiling run in the background from the global setup (test/helpers/prebuilt.ts).
 */
describe('The packed library in a fresh Nest app', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = await prebuilt('pack');
  }, 300_000);

  afterAll(async () => {
    await closeAllClients();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
  });

  it('ships compiled code and declarations only, with nothing from the tests or the sample', async () => {
    const listing = (await run('tar', ['-tzf', join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!)])).stdout;
    expect(listing).toContain('package/dist/lib/index.js');
    expect(listing).toContain('package/dist/lib/index.d.ts');
    expect(listing).not.toMatch(/package\/(test|sample|lib)\//);
    expect(listing).not.toContain('dist/sample');
  });

  it('shares the app\'s single copy of every peer dependency', () => {
    const nested = join(dir, 'node_modules', 'nestjs-ws-spaces', 'node_modules');
    for (const peer of ['@nestjs/common', '@nestjs/core', 'rxjs', 'reflect-metadata']) {
      expect(existsSync(join(nested, peer)), `${peer} installed twice`).toBe(false);
    }
  });

  it('type-checks an app written against the public API, strictly', () => {
    expect(readFileSync(join(dir, 'tsc.out'), 'utf8')).toBe('');
  });

  it('exposes only the exports map: deep imports are refused', async () => {
    const probe = `import('nestjs-ws-spaces/dist/lib/ws.module.js').then(() => console.log('open'), (e) => console.log(e.code))`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir });
    expect(stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('boots, and answers over a real socket', async () => {
    child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /PORT=(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child!.once('exit', (code) => reject(new Error(`fresh app exited with ${code}: ${out}`)));
    });
    const client = await connect(`ws://127.0.0.1:${port}/ws`);
    expect(await client.request('fresh.echo', { text: 'packed' })).toMatchObject({ code: 0, name: 'fresh.echoed', data: { text: 'packed', ok: 0 } });
    client.send({ name: 'fresh.shout', data: { text: 'hey' } });
    expect(await client.nextWhere((e) => e.name === 'fresh.shouted')).toMatchObject({ data: { text: 'HEY' } });
    const side = await connect(`ws://127.0.0.1:${port}/side`);
    expect(await side.request('side.ping')).toMatchObject({ code: 0, name: 'side.ping', data: 'pong' });
  }, 30_000);

  it('serves a @WebSocketGateway beside the module on the same port through WsSpacesAdapter', async () => {
    expect(port).toBeGreaterThan(0); // booted by the test above
    const gateway = await connect(`ws://127.0.0.1:${port}/events`);
    gateway.send({ event: 'fresh.gw', data: { text: 'beside' } });
    expect(await gateway.next()).toEqual({ event: 'fresh.gw.echoed', data: { text: 'beside' } });
    const space = await connect(`ws://127.0.0.1:${port}/ws`);
    expect(await space.request('fresh.echo', { text: 'both' })).toMatchObject({ code: 0, name: 'fresh.echoed' });
  });

  it('lets the app\'s global ValidationPipe validate a @WsArgs() DTO, as it does a gateway\'s @MessageBody()', async () => {
    expect(port, 'the app booted in the previous test').toBeGreaterThan(0);
    const client = await connect(`ws://127.0.0.1:${port}/ws`);
    const refused = await client.request('fresh.rename', { name: 'far too long a name', version: 0 }, 'v1');
    expect(refused).toMatchObject({ code: 400, name: 'fresh.rename', id: 'v1' });
    expect(refused.data).toEqual(expect.arrayContaining(['name must be shorter than or equal to 8 characters', 'version must not be less than 1']));
    expect(await client.request('fresh.rename', { name: 'ann', version: 2 })).toMatchObject({ code: 0, data: { name: 'ann', version: 2 } });
    expect(await client.request('fresh.classed')).toMatchObject({ code: 400, text: 'missing arguments' });
  });
});
