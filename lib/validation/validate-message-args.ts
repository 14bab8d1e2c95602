import type { Type } from '@nestjs/common';
import { WsInvalidError } from '../errors/ws-reply.error.js';
import type { ArgsValidator } from './args-validator.js';

/** What a message declares about its arguments: `@WsMessage(name, { args, nullable })`. */
export interface MessageArgsOptions {
  args?: Type<unknown>;
  nullable?: boolean;
}

/**
 * The arguments a handler with an args class receives: a validated instance of the class, or `null` for a
 * message without arguments when the handler opted in with `nullable: true`. Anything else is refused with
 * 400 (`WsInvalidError`). Missing arguments are refused by default: a handler that declares a class reads its
 * fields, and `null` there would surface as a 500 from the first property access, blaming the server for the
 * client's mistake.
 */
export async function validateMessageArgs(
  validator: ArgsValidator,
  options: MessageArgsOptions,
  data: unknown,
  missing: boolean,
): Promise<object | null> {
  if (missing) {
    if (options.nullable === true) return null;
    throw new WsInvalidError('missing arguments');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WsInvalidError('arguments must be an object');
  }
  const outcome = await validator.validate(options.args!, data);
  if ('errors' in outcome) throw new WsInvalidError('invalid arguments', outcome.errors);
  return outcome.value;
}
