/** The executable `name` on the PATH, or undefined. */
export function onPath(name: string): string | undefined;
/** The browser the page specs drive: CHROMIUM_PATH, else chromium (or chromium-browser) on the PATH. */
export function findChromium(): string | undefined;
