import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { renderCalcContract } from './types/render-calc-contract.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/lib/cli/bin.js'); // built by test/global-setup.ts, with the sample
const cli = (...args: string[]) =>
  run(process.execPath, [BIN, ...args], { cwd: ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );

describe('Types from the server contract', () => {
  it('renders the calc app as the committed fixture the type tests compile against', async () => {
    const committed = readFileSync(new URL('./types/calc-contract.d.ts', import.meta.url), 'utf8');
    expect(await renderCalcContract()).toBe(committed);
  });

  it('checks requests, replies and pushes of WsClient<Contract> at compile time', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'test/client/types/tsconfig.json'], { cwd: ROOT }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code, stdout: e.stdout ?? '' }),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});

describe('npx nestjs-ws-spaces contract, on the sample', () => {
  let out: string;
  beforeAll(() => void (out = mkdtempSync(join(tmpdir(), 'ws-contract-'))));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('boots the compiled module without listening and writes contract.json and contract.d.ts', async () => {
    const result = await cli('contract', 'dist/sample/app.module.js', '--export', 'AppModule', '--out', out);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^wrote .*contract\.json and .*contract\.d\.ts: \d+ messages, \d+ commands, \d+ spaces\n$/);

    const json = JSON.parse(readFileSync(join(out, 'contract.json'), 'utf8'));
    expect(json.schema).not.toHaveProperty('generated'); // the file changes only when the protocol does
    expect(json.spaces.custom).toMatchObject({ path: '/socket/custom', inherit: ['demo.', 'chat.'] });
    expect(json.messages.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['chat.say', 'demo.echo', 'custom.hello']));

    const types = readFileSync(join(out, 'contract.d.ts'), 'utf8');
    expect(types).toContain("export type Contract = Contracts['default'];");
    expect(types).toMatch(/"chat\.say": \{\s+args: \{\s+text: string;\s+room: string;\s+\};\s+reply: \{\s+delivered: number;\s+\};/);
    expect(types).toMatch(/"chat\.said": \{\s+from: string;\s+room: string;\s+text: string;\s+\};/);
    // The custom space inherits demo.* and chat.* only: user.login is the default space's alone.
    const custom = types.slice(types.indexOf('  custom: {'));
    expect(custom).toContain('"custom.hello"');
    expect(custom).toContain('"chat.join"');
    expect(custom.slice(0, custom.indexOf('\n  raw: {') >>> 0)).not.toContain('"user.login"');
    // The raw space speaks no envelope: nothing resolves there.
    expect(types).toMatch(/\n  raw: \{ messages: \{\}; commands: \{\} \};/);

    // Run twice, the same files: a committed contract does not churn.
    const again = mkdtempSync(join(tmpdir(), 'ws-contract-'));
    try {
      await cli('contract', 'dist/sample/app.module.js', '--export', 'AppModule', '--out', again);
      expect(readFileSync(join(again, 'contract.d.ts'), 'utf8')).toBe(types);
      expect(readFileSync(join(again, 'contract.json'), 'utf8')).toBe(readFileSync(join(out, 'contract.json'), 'utf8'));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 60_000);

  it('names the exports to choose from when the module file has no default export', async () => {
    const result = await cli('contract', 'dist/sample/app.module.js', '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('nestjs-ws-spaces: dist/sample/app.module.js has no default export; pass --export with one of: AppModule\n');
  }, 30_000);

  it('prints its usage, and refuses unknown options', async () => {
    expect(await cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('nestjs-ws-spaces contract diff <old.json> <new.json>') });
    expect(await cli('contract', 'x.js', '--bogus')).toMatchObject({ code: 2, stderr: 'nestjs-ws-spaces: unknown option --bogus\n' });
  });
});
