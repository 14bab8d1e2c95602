import type { WsCommandMetadata } from '../decorators/ws-command.decorator.js';
import type { WsMessageMetadata } from '../decorators/ws-message.decorator.js';
import type { WsHandlerKind, WsHookKind } from '../interfaces/ws-message-options.interface.js';
import type { ComposedHandler } from '../pipeline/handler-factory.js';

/** Where an entry came from, as `Class.method`, for bootstrap errors and logs. */
interface Owned {
  space: string;
  owner: string;
}

export interface MessageEntry extends Owned {
  name: string;
  options: WsMessageMetadata;
  instance: object;
  methodName: string;
  /** The method with the app's guards, interceptors, pipes and exception filters around it. */
  handler: ComposedHandler;
}

export interface CommandEntry extends Owned {
  name: string;
  options: WsCommandMetadata;
}

export interface FilterEntry extends Owned {
  call: (ctx: unknown, next: () => Promise<void>) => unknown;
}

export interface HookEntry extends Owned {
  kind: WsHookKind;
  call: (ctx: unknown) => unknown;
}

export interface HandlerEntry extends Owned {
  kind: WsHandlerKind;
  call: (ctx: unknown, cause: unknown) => unknown;
}

/** The `@WsRaw()` handler of a raw space. */
export interface RawEntry extends Owned {
  instance: object;
  methodName: string;
  /** The method with the app's guards, interceptors, pipes and exception filters around it. */
  handler: ComposedHandler;
}

/** One space's view of the registry with the fallbacks already applied, built once at bootstrap. */
export interface SpaceTable {
  name: string;
  path: string;
  /** The space's own messages over the default space's. */
  messages: Map<string, MessageEntry>;
  commands: Map<string, CommandEntry>;
  /** The default space's filters, then the space's own. */
  filters: FilterEntry[];
  hooks: Record<WsHookKind, HookEntry[]>;
  handlers: Partial<Record<WsHandlerKind, HandlerEntry>>;
}
