import { Inject, Injectable } from '@nestjs/common';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import type { WsHandlerKind } from '../interfaces/ws-message-options.interface.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { DUPLICATE_HANDLER, UNKNOWN_SPACE } from '../ws.messages.js';
import type {
  CommandEntry,
  FilterEntry,
  HandlerEntry,
  HookEntry,
  MessageEntry,
  SpaceTable,
} from './registry-entries.js';

/**
 * Everything the explorer found, per space. Filled once at bootstrap, then sealed into one `SpaceTable` per space
 * so the hot path does a single map lookup with the fallback to the default space already applied.
 */
@Injectable()
export class WsRegistry {
  private readonly messages = new Map<string, Map<string, MessageEntry>>();
  private readonly commands = new Map<string, Map<string, CommandEntry>>();
  private readonly handlers = new Map<string, Map<WsHandlerKind, HandlerEntry>>();
  private readonly filters: FilterEntry[] = [];
  private readonly hooks: HookEntry[] = [];
  private tables = new Map<string, SpaceTable>();

  constructor(@Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions) {}

  get spaceNames(): string[] {
    return Object.keys(this.options.spaces);
  }

  addMessage(entry: MessageEntry): void {
    this.addUnique('message', this.messages, entry.name, entry);
  }

  addCommand(entry: CommandEntry): void {
    this.addUnique('command', this.commands, entry.name, entry);
  }

  addHandler(entry: HandlerEntry): void {
    this.addUnique(`"${entry.kind}"`, this.handlers, entry.kind, entry);
  }

  addFilter(entry: FilterEntry): void {
    this.checkSpace(entry.space, entry.owner);
    this.filters.push(entry);
  }

  addHook(entry: HookEntry): void {
    this.checkSpace(entry.space, entry.owner);
    this.hooks.push(entry);
  }

  /** Builds the per-space tables. Called once, after discovery. */
  seal(): void {
    const tables = new Map<string, SpaceTable>();
    for (const [space, path] of Object.entries(this.options.spaces)) {
      const inSpace = (e: { space: string }) => e.space === space;
      const layered = <T extends { space: string }>(list: T[]) =>
        space === DEFAULT_SPACE ? list.filter(inSpace) : [...list.filter((e) => e.space === DEFAULT_SPACE), ...list.filter(inSpace)];
      const hooks = layered(this.hooks);
      tables.set(space, {
        name: space,
        path,
        messages: this.withFallback(this.messages, space),
        commands: this.withFallback(this.commands, space),
        filters: layered(this.filters),
        hooks: {
          open: hooks.filter((h) => h.kind === 'open'),
          close: hooks.filter((h) => h.kind === 'close'),
          receive: hooks.filter((h) => h.kind === 'receive'),
          send: hooks.filter((h) => h.kind === 'send'),
        },
        handlers: Object.fromEntries(this.withFallback(this.handlers, space)),
      });
    }
    this.tables = tables;
  }

  table(space: string): SpaceTable {
    const table = this.tables.get(space);
    if (!table) throw new Error(`WsRegistry used before bootstrap or for an unknown space "${space}"`);
    return table;
  }

  /** Every message and command as declared, for the protocol export. */
  declared(): { messages: MessageEntry[]; commands: CommandEntry[] } {
    const flatten = <T>(m: Map<string, Map<string, T>>) => [...m.values()].flatMap((inner) => [...inner.values()]);
    return { messages: flatten(this.messages), commands: flatten(this.commands) };
  }

  private addUnique<K, T extends { space: string; owner: string }>(
    kind: string,
    bySpace: Map<string, Map<K, T>>,
    key: K,
    entry: T,
  ): void {
    this.checkSpace(entry.space, entry.owner);
    let map = bySpace.get(entry.space);
    if (!map) bySpace.set(entry.space, (map = new Map()));
    const existing = map.get(key);
    if (existing) {
      throw new WsConfigError(DUPLICATE_HANDLER(kind, String(key), entry.space, existing.owner, entry.owner));
    }
    map.set(key, entry);
  }

  private withFallback<K, T>(bySpace: Map<string, Map<K, T>>, space: string): Map<K, T> {
    return new Map([...(bySpace.get(DEFAULT_SPACE) ?? []), ...(space === DEFAULT_SPACE ? [] : (bySpace.get(space) ?? []))]);
  }

  private checkSpace(space: string, owner: string): void {
    if (!(space in this.options.spaces)) throw new WsConfigError(UNKNOWN_SPACE(space, owner, this.spaceNames));
  }
}
