import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The library's own name and version, read once from its package.json (from lib/ in source, dist/lib/ built). */
export const PACKAGE_INFO: { name: string; version: string } = (() => {
  for (const rel of ['../../package.json', '../../../package.json']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'nestjs-ws-spaces') return { name: pkg.name, version: pkg.version ?? '0.0.0' };
  }
  return { name: 'nestjs-ws-spaces', version: '0.0.0' };
})();
