import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The line a spec fails with when there is no browser: what is missing and how to get it. */
export const NO_CHROMIUM =
  'no Chromium found (CHROMIUM_PATH, or chromium on the PATH): run "npm test", which installs it with apt-get as root, ' +
  'or install Debian\'s "chromium" (sudo apt-get install chromium), or set CHROMIUM_PATH';

/** The browser the demo page spec drives, found as scripts/ensure-deps.mjs finds it. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
