import type { WsBroker } from '../broker/ws.broker.js';
import type { WsContextWiring } from './context-wiring.js';
import { WsDeniedError, WsFailError, WsInternalError, WsInvalidError, WsServerError } from '../errors/ws-reply.error.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsSetting } from '../interfaces/ws-message-options.interface.js';
import type { WsSession } from '../session/ws-session.js';
import type { WsRawData } from '../broker/raw-frame.js';

const NO_SETTING: WsSetting = Object.freeze({});

/**
 * What a handler, filter or hook works with: the session, the message, and the sending API of `WsBroker`
 * with the session's space as the default target. Sends never cross into another space unless `options.space`
 * names it.
 *
 * `A` types `ctx.args`: the message's args class (`WsContext<MoveArgs>`, which `@WsMessage(name, { args: MoveArgs })`
 * checks at compile time), or the shape a handler without one expects. It defaults to `unknown`, not `any`, so an
 * untyped context cannot read a field the compiler knows nothing about.
 * @publicApi
 */
export class WsContext<A = unknown> {
  /** True once a reply was sent while handling this message; a handler's return value is then not replied. */
  replied = false;
  /** In a send hook: the bytes about to be written. Replace them to change what goes out. */
  output: Buffer | string | undefined = undefined;

  constructor(
    /** @internal The broker, the reply path and the setting lookup, built once by the pipeline. */
    private readonly wiring: WsContextWiring,
    readonly session: WsSession,
    /** The message name (in a send hook: the outbound name; in open/close hooks: ''). */
    readonly name: string,
    /** The arguments (in a send hook: the outbound data); an instance of the args class once validated. */
    public args: A,
    /** The request id, echoed on every reply. */
    readonly id?: string | number,
    /** In receive hooks and handlers: the raw inbound frame. */
    readonly input?: Buffer,
  ) {}

  private get broker(): WsBroker {
    return this.wiring.broker;
  }

  get space(): string {
    return this.session.space;
  }

  get user(): string | undefined {
    return this.session.user;
  }

  get locals(): Record<string, unknown> {
    return this.session.locals;
  }

  /**
   * The app's own record on what is being handled (infrago's `ctx.Setting`): the message's
   * `@WsMessage(name, { setting })` in receive hooks, filters, guards, handlers and error handlers; the command's
   * `@WsCommand(name, { setting })` in send hooks. `{}` when there is none (open and close hooks, an unknown name).
   * Read from the registry when asked, so a message that never reads it pays nothing.
   */
  get setting(): WsSetting {
    // An inbound context carries its frame; a send hook's does not, and its name is a command's.
    const kind = this.input !== undefined ? 'message' : 'command';
    return (this.name && this.wiring.settingOf(this.session.space, this.name, kind)) || NO_SETTING;
  }

  /** Sends `name` to this session, with this message's `id`. */
  reply(name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    this.replied = true;
    return this.wiring.reply(this.session, name, data, options, this.id);
  }

  push(sid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.push(sid, name, data, this.scoped(options));
  }

  pushUser(uid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.pushUser(uid, name, data, this.scoped(options));
  }

  /** Sends to many sessions by id, in this session's space unless `space` says otherwise; one delivery. */
  pushMany(sids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.pushMany(sids, name, data, this.scoped(options));
  }

  /** Sends to every session of several users, in this session's space unless `space` says otherwise. */
  pushUsers(uids: Iterable<string>, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.pushUsers(uids, name, data, this.scoped(options));
  }

  broadcast(name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.broadcast(name, data, this.scoped(options));
  }

  groupcast(gid: string, name: string, data?: unknown, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.groupcast(gid, name, data, this.scoped(options));
  }

  /** Bytes as they are to one session: a string as a text frame, a Buffer as a binary frame (see `WsBroker.pushRaw`). */
  pushRaw(sid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.pushRaw(sid, data, this.scoped(options));
  }

  /** Bytes as they are to every session of this space (or `options.space`), on every node. */
  broadcastRaw(data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.broadcastRaw(data, this.scoped(options));
  }

  /** Bytes as they are to every member of a group of this space (or `options.space`), on every node. */
  groupcastRaw(gid: string, data: WsRawData, options?: WsSendOptions): Promise<Delivery> {
    return this.broker.groupcastRaw(gid, data, this.scoped(options));
  }

  /**
   * Binds this session to a user (`undefined` unbinds). A user the authenticator established is replaced only
   * with `{ replace: true }`; otherwise this throws a `WsIdentityError` (403 to the client).
   */
  bindUser(uid: string | undefined, options?: { replace?: boolean }): void {
    this.broker.bindUser(this.session.id, uid, options);
  }

  /**
   * Joins one or more groups. Past `maxGroups` it throws `WsGroupLimitError` and joins none: let it through and
   * the client gets a 400 with the error's text.
   */
  join(...gids: string[]): void {
    this.broker.join(this.session.id, ...gids);
  }

  /** Leaves one or more groups; true when this session was in any of them. */
  leave(...gids: string[]): boolean {
    return this.broker.leave(this.session.id, ...gids);
  }

  leaveAll(): number {
    return this.broker.leaveAll(this.session.id);
  }

  groups(): string[] {
    return [...this.session.groups];
  }

  inGroup(gid: string): boolean {
    return this.session.groups.has(gid);
  }

  close(code?: number, reason?: string): void {
    this.broker.close(this.session.id, code, reason);
  }

  /** Ends the message with 403, through the space's `denied` handler. */
  deny(text?: string, data?: unknown): never {
    throw new WsDeniedError(text, data);
  }

  /** Ends the message with 400, through the space's `invalid` handler. */
  invalid(text?: string, data?: unknown): never {
    throw new WsInvalidError(text, data);
  }

  /** Ends the message with code 1 and a text for the client, through the space's `error` handler. */
  fail(text?: string, data?: unknown): never {
    throw new WsFailError(text, data);
  }

  /**
   * Ends the message with 500 and the app's own `text` (default "internal error") and `data`, through the space's
   * `error` handler: a deliberate answer, counted in `handlerErrors`, not logged.
   */
  error(text?: string, data?: unknown): never;
  /**
   * Given anything but a string (an `Error`, say), the argument is a cause, as before: it is logged (with its stack)
   * and the client reads only "internal error", `data: null`.
   */
  error(cause: unknown): never;
  error(textOrCause?: unknown, data?: unknown): never {
    if (textOrCause === undefined || typeof textOrCause === 'string') throw new WsServerError(textOrCause, data);
    throw new WsInternalError(textOrCause);
  }

  /**
   * Replies `name` with a result: `ctx.answer('pay.done', data, { code: 1, text: 'card declined' })` is
   * `ctx.reply(name, data, { code, text })`, for those who know infrago's `ctx.Answer(msg, data, res)`. Unlike
   * `fail`/`deny`, it does not end the handler and does not go through the error handlers.
   */
  answer(name: string, data?: unknown, result?: WsSendOptions): Promise<Delivery> {
    return this.reply(name, data, result);
  }

  private scoped(options: WsSendOptions | undefined): WsSendOptions {
    return options?.space ? options : { ...options, space: this.session.space };
  }
}
