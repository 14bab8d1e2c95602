/** The line a spec fails with when there is no browser: what is missing and how to get it. */
export const NO_CHROMIUM =
  'no Chromium found (CHROMIUM_PATH, or chromium on the PATH): run "npm test", which installs it with apt-get as root, ' +
  'or install Debian\'s "chromium" (sudo apt-get install chromium), or set CHROMIUM_PATH';

// One lookup for the specs and scripts/ensure-deps.mjs, which installs the browser where it is missing.
export { findChromium } from '../../scripts/find-tool.mjs';
