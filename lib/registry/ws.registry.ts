import { Inject, Injectable } from '@nestjs/common';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import type { WsHandlerKind } from '../interfaces/ws-message-options.interface.js';
import { DEFAULT_SPACE, WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { DUPLICATE_HANDLER, RAW_IN_ENVELOPE_SPACE, TWO_RAW_HANDLERS, UNKNOWN_SPACE } from '../ws.messages.js';
import type {
  CommandEntry,
  FilterEntry,
  HandlerEntry,
  HookEntry,
  MessageEntry,
  RawEntry,
  SpaceTable,
} from './registry-entries.js';

/**
 * What a space takes from the default space, from its `inherit` setting: names of messages and commands (a list
 * entry ending in "." is a prefix), and whether error handlers come along (all but `inherit: false`).
 */
function inheritance(inherit: boolean | string[]): { name: (name: string) => boolean; handlers: boolean } {
  if (typeof inherit === 'boolean') return { name: () => inherit, handlers: inherit };
  const exact = new Set(inherit.filter((n) => !n.endsWith('.')));
  const prefixes = inherit.filter((n) => n.endsWith('.'));
  return { name: (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p)), handlers: true };
}

/**
 * Everything the explorer found, per space. Filled once at bootstrap, then sealed into one `SpaceTable` per space
 * so the hot path does a single map lookup with the fallback to the default space already applied (as far as the
 * space's `inherit` allows; the default space's filters and hooks run everywhere, being app-wide policy).
 */
@Injectable()
export class WsRegistry {
  private readonly messages = new Map<string, Map<string, MessageEntry>>();
  private readonly commands = new Map<string, Map<string, CommandEntry>>();
  private readonly handlers = new Map<string, Map<WsHandlerKind, HandlerEntry>>();
  private readonly filters: FilterEntry[] = [];
  private readonly hooks: HookEntry[] = [];
  /** The `@WsRaw()` handler of each raw space: one per space, only in raw spaces. */
  private readonly raws = new Map<string, Map<'raw', RawEntry>>();
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

  addRaw(entry: RawEntry): void {
    this.checkSpace(entry.space, entry.owner);
    if (!this.options.rawSpaces.includes(entry.space)) throw new WsConfigError(RAW_IN_ENVELOPE_SPACE(entry.owner, entry.space));
    const existing = this.raw(entry.space);
    if (existing) throw new WsConfigError(TWO_RAW_HANDLERS(entry.space, existing.owner, entry.owner));
    this.addUnique('@WsRaw()', this.raws, 'raw', entry);
  }

  /** The `@WsRaw()` handler of a raw space, if it has one. */
  raw(space: string): RawEntry | undefined {
    return this.raws.get(space)?.get('raw');
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
      const inherits = inheritance(this.options.spaceInherit[space] ?? true);
      const inSpace = (e: { space: string }) => e.space === space;
      const layered = <T extends { space: string }>(list: T[]) =>
        space === DEFAULT_SPACE ? list.filter(inSpace) : [...list.filter((e) => e.space === DEFAULT_SPACE), ...list.filter(inSpace)];
      const hooks = layered(this.hooks);
      tables.set(space, {
        name: space,
        path,
        messages: this.withFallback(this.messages, space, inherits.name),
        commands: this.withFallback(this.commands, space, inherits.name),
        filters: layered(this.filters),
        hooks: {
          open: hooks.filter((h) => h.kind === 'open'),
          close: hooks.filter((h) => h.kind === 'close'),
          receive: hooks.filter((h) => h.kind === 'receive'),
          send: hooks.filter((h) => h.kind === 'send'),
        },
        handlers: Object.fromEntries(this.withFallback(this.handlers, space, () => inherits.handlers)),
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

  /** The space's own entries over the default space's, of which only those `inherited` are kept. */
  private withFallback<K, T>(bySpace: Map<string, Map<K, T>>, space: string, inherited: (key: K) => boolean): Map<K, T> {
    if (space === DEFAULT_SPACE) return new Map(bySpace.get(DEFAULT_SPACE) ?? []);
    const fallback = [...(bySpace.get(DEFAULT_SPACE) ?? [])].filter(([key]) => inherited(key));
    return new Map([...fallback, ...(bySpace.get(space) ?? [])]);
  }

  private checkSpace(space: string, owner: string): void {
    if (!(space in this.options.spaces)) throw new WsConfigError(UNKNOWN_SPACE(space, owner, this.spaceNames));
  }
}
