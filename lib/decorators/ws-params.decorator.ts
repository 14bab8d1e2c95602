import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { WsContext } from '../context/ws-context.js';
import type { WsSession } from '../session/ws-session.js';

// Handlers are called with [session, args, ctx, name]: switchToWs().getClient() is the session, getData() the
// arguments and getPattern() the name, as for a Nest gateway, so these read from the same places.

/**
 * The message's arguments (validated when the message has an args class), or one property of them.
 * Pipes (`@UsePipes`, global pipes) apply to it.
 * @publicApi
 */
export const WsArgs = createParamDecorator((property: string | undefined, ctx: ExecutionContext) => {
  const data = ctx.switchToWs().getData<Record<string, unknown>>();
  return property && data ? data[property] : data;
});

/** The `WsSession` of the connection. @publicApi */
export const WsClient = createParamDecorator((_: unknown, ctx: ExecutionContext): WsSession => ctx.switchToWs().getClient());

/** The `WsContext` of the message, to reply or send. @publicApi */
export const WsCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): WsContext => ctx.getArgByIndex(2));

/** The user bound to the session, or `undefined`. @publicApi */
export const WsUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToWs().getClient<WsSession>().user,
);
