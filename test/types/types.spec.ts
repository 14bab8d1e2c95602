import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The compile-time checks of the public API (`*.fixture.ts` here): tsc must report nothing. A fixture line marked
 * `@ts-expect-error` that compiles (a check gone lax) is an error too, so this spec fails either way.
 */
describe('Compile-time checks', () => {
  it('accepts every fixture declaration and refuses every @ts-expect-error one', async () => {
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const result = await run(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], { cwd: ROOT, maxBuffer: 1 << 24 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? '' }),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
