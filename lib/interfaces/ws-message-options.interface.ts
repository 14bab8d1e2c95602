import type { Type } from '@nestjs/common';
import type { WsPriority, WsQueuePolicy, WsRateLimit } from './ws-module-options.interface.js';

/** A per-message rate limit, counted per session or per bound user (sessions without a user count alone). */
export interface WsMessageRateLimit extends WsRateLimit {
  /** @default 'session' */
  per?: 'session' | 'user';
}

/**
 * An app-defined record on a message or a command (infrago's `Setting`): read as `ctx.setting` by filters, hooks,
 * handlers and error handlers, and by guards as `context.getArgByIndex<WsContext>(2).setting`. Never exported.
 * @publicApi
 */
export type WsSetting = Readonly<Record<string, unknown>>;

/** Options of `@WsMessage(name, options)`. @publicApi */
export interface WsMessageOptions {
  /** The space this handler belongs to; defaults to the class's `@WsSpace`, else the default space. */
  space?: string;
  /** Human description, shown in the protocol export. */
  desc?: string;
  /** Arguments class (class-validator). */
  args?: Type<unknown>;
  /** With an args class: `true` hands a message without arguments to the handler with `ctx.args === null`;
   * otherwise it is refused with 400 `missing arguments`. @default false */
  nullable?: boolean;
  /**
   * Name a returned value (or the acknowledgement of a request with an `id` whose handler returned nothing) is
   * replied under; `false` for a fire-and-forget message: nothing is replied unless the handler calls `ctx.reply`.
   * @default the message's own name
   */
  reply?: string | false;
  /** Class of the reply's data (class-validator): its schema and example go into the protocol export. */
  replyArgs?: Type<unknown>;
  /** A rate limit of this message's own; excess gets 429. */
  rate?: WsMessageRateLimit;
  /** Your own record for this message (`{ auth: 'admin' }`), read as `ctx.setting`; left out of the export. */
  setting?: WsSetting;
}

/** Options of `@WsCommand(name, options)`. @publicApi */
export interface WsCommandOptions {
  space?: string;
  desc?: string;
  args?: Type<unknown>;
  /** Send lane of this command. @default 'normal' */
  priority?: WsPriority;
  /** What a full lane does with this command; defaults by lane (high: block, normal: module's, low: drop). */
  queuePolicy?: WsQueuePolicy;
  /** Your own record for this command, read as `ctx.setting` in send hooks; left out of the export. */
  setting?: WsSetting;
}

/** Options of `@WsFilter(options)`, `@WsHook(kind, options)` and `@WsHandler(kind, options)`. @publicApi */
export interface WsSpaceScopedOptions {
  space?: string;
}

export type WsHookKind = 'open' | 'close' | 'receive' | 'send';
export type WsHandlerKind = 'error' | 'invalid' | 'denied';
