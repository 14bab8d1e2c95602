// Where the tools the tests run are found: shared by scripts/ensure-deps.mjs (which installs what is missing) and
// the specs that drive a browser, so both agree on what "present" means. Node builtins only.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `name` on the PATH, or undefined. */
export function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The browser the page specs drive: CHROMIUM_PATH, else chromium (or chromium-browser) on the PATH. */
export function findChromium() {
  return process.env.CHROMIUM_PATH || onPath('chromium') || onPath('chromium-browser');
}
