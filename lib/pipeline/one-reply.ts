/** What the one-reply rule reads of a message being handled. */
interface Handling {
  readonly name: string;
  readonly id?: string | number;
  readonly replied: boolean;
}

/** What the one-reply rule reads of a message's options: `reply: false` opts out, `reply: 'name'` renames. */
interface ReplyOption {
  readonly reply?: string | false;
}

/*
 * A request (a message with an `id`) the server accepted gets exactly one reply, on every path:
 * - the handler's result is the reply, unless something replied already (`resultReplyName`);
 * - a failure is answered only when nothing replied yet (the dispatcher's error path);
 * - when everything ran and nothing replied (the handler returned nothing, a filter stopped the chain quietly),
 *   the request is acknowledged `{ code: 0, name, data: null, id }` (`ackName`).
 * These return the name to reply with, or undefined for no reply, so the dispatcher awaits only real sends.
 */

/** The name a handler's result is replied under; undefined when it is not replied. */
export function resultReplyName(ctx: Handling, options: ReplyOption, result: unknown): string | undefined {
  if (ctx.replied || result === undefined || options.reply === false) return undefined;
  return options.reply || ctx.name;
}

/** The name of the acknowledgement a request still owes once its handling ended; undefined when it owes none. */
export function ackName(ctx: Handling, options: ReplyOption | undefined): string | undefined {
  if (ctx.id === undefined || ctx.replied || options?.reply === false) return undefined;
  return options?.reply || ctx.name;
}
