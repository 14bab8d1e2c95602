import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import type { WsProtocolExport } from '../introspection/export.interface.js';

/** A module file the command cannot use: the message says what to pass instead. */
export class ContractInputError extends Error {}

/**
 * Boots the app's module graph without listening and reads the protocol export: the module file is imported (it
 * is compiled JS), its root module is taken from the default export or `exportName`, the app is created and
 * initialised (every provider built, every handler registered), exported, and closed. Nothing is bound to a
 * port: the HTTP server is created but never listens.
 */
export async function bootExport(moduleFile: string, exportName?: string): Promise<{ exported: WsProtocolExport; inherit: Record<string, boolean | string[]> }> {
  // Nest's decorators read design types through reflect-metadata; an app's main.ts imports it, a module file may not.
  await import('reflect-metadata');
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(moduleFile)).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ContractInputError(`cannot import ${moduleFile} (pass the compiled .js module file): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const name = exportName ?? 'default';
  const root = loaded[name];
  if (typeof root !== 'function') {
    const classes = Object.keys(loaded).filter((k) => typeof loaded[k] === 'function');
    throw new ContractInputError(`${moduleFile} has no ${exportName ? `export "${exportName}"` : 'default export'}; pass --export with one of: ${classes.join(', ') || '(none)'}`);
  }
  const [{ NestFactory }, { WsIntrospection }, { WS_RESOLVED_OPTIONS }] = await Promise.all([
    import('@nestjs/core'),
    import('../introspection/export.service.js'),
    import('../ws.constants.js'),
  ]);
  // create() + init(), never listen(): the module attaches to an HTTP server that accepts nothing. (An
  // application context has no HTTP server for the module to attach to.)
  const app = await NestFactory.create(root as new () => unknown, { logger: ['error'], abortOnError: false });
  try {
    await app.init();
    const exported = app.get(WsIntrospection, { strict: false }).export();
    // What each space falls back to is not in the export; the contract needs it to list a space's messages.
    const { spaceInherit } = app.get<symbol, WsResolvedOptions>(WS_RESOLVED_OPTIONS, { strict: false });
    return { exported, inherit: spaceInherit };
  } finally {
    await app.close();
  }
}
