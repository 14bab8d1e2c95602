import type { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { BurstLogger } from '../cluster/burst-logger.js';
import type { WsResolvedOptions, WsResolvedSpace } from '../interfaces/ws-module-options.interface.js';
import { describeError } from '../utils/describe-error.util.js';

/** Where an upgrade goes: its space, and the facts of its URL. */
export interface Place {
  space: string;
  path: string;
  search: string;
  params: Record<string, string>;
}

/**
 * Maps an upgrade's path to its space: the configured paths first, then the app's `resolveSpace` for a path no
 * space is configured at.
 */
export class SpacePlaces {
  private readonly byPath = new Map<string, string>();
  /** A failing `resolveSpace` is the app's bug, but clients trigger it: logged once per burst. */
  private readonly resolveLog: BurstLogger;

  constructor(
    private readonly options: WsResolvedOptions,
    logger: Logger,
  ) {
    for (const [space, path] of Object.entries(options.spaces)) this.byPath.set(path, space);
    this.resolveLog = new BurstLogger(logger);
  }

  /** The space configured at a path, if any (`resolveSpace` is not asked). */
  at(path: string): string | undefined {
    return this.byPath.get(path);
  }

  /**
   * The place of an upgrade: `undefined` when neither the configured paths nor `resolveSpace` place it (404, or
   * another listener's), `null` when `resolveSpace` failed (answered 500 and logged: a bug of the app).
   */
  place(req: IncomingMessage, path: string, search: string): Place | undefined | null {
    const space = this.byPath.get(path);
    if (space !== undefined) return { space, path, search, params: {} };
    if (!this.options.resolveSpace) return undefined;
    return this.resolve(req, path, search);
  }

  private resolve(req: IncomingMessage, path: string, search: string): Place | undefined | null {
    let chosen: WsResolvedSpace | string | undefined;
    try {
      chosen = this.options.resolveSpace!(req);
    } catch (err) {
      this.resolveLog.error(`resolveSpace threw for ${path}: ${describeError(err)}`);
      return null;
    }
    if (chosen === undefined || chosen === null) return undefined;
    const space = typeof chosen === 'string' ? chosen : chosen.space;
    if (typeof space !== 'string' || !Object.hasOwn(this.options.spaces, space)) {
      this.resolveLog.error(`resolveSpace placed ${path} in "${String(space)}", which is not a configured space (${Object.keys(this.options.spaces).join(', ')}); answered 500`);
      return null;
    }
    const params: Record<string, string> = {};
    if (typeof chosen === 'object' && chosen.params) {
      for (const [key, value] of Object.entries(chosen.params)) if (key !== '__proto__') params[key] = String(value);
    }
    return { space, path, search, params };
  }
}
