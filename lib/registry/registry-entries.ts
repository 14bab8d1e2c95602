import type {
  WsCommandOptions,
  WsHandlerKind,
  WsHookKind,
  WsMessageOptions,
} from '../interfaces/ws-message-options.interface.js';
import type { WsSession } from '../session/ws-session.js';

/** What `@WsMessage(name, options)` records on a method, and a message entry carries. */
export interface WsMessageMetadata extends WsMessageOptions {
  name: string;
}

/** What `@WsCommand(name, options)` records on a class, and a command entry carries. */
export interface WsCommandMetadata extends WsCommandOptions {
  name: string;
}

/**
 * A message handler with the app's guards, interceptors, pipes and exception filters composed around it. `ctx` is
 * the `WsContext` of the message; the registry sits below the context (which sends through the broker, which
 * reads the registry), so like the other entries it does not name that type.
 */
export type ComposedHandler = ((session: WsSession, args: unknown, ctx: unknown, name: string) => Promise<unknown>) & {
  /**
   * The method itself, called with the context alone, when nothing is composed around it (no guard, interceptor or
   * exception filter, global ones included, and no param decorator): what it returns is not awaited or wrapped.
   */
  direct?: (ctx: unknown) => unknown;
};

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
