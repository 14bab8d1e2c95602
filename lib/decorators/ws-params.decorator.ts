import { assignMetadata, createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { WsContext } from '../context/ws-context.js';
import type { WsSession } from '../session/ws-session.js';

// Handlers are called with [session, args, ctx, name]: switchToWs().getClient() is the session, getData() the
// arguments and getPattern() the name, as for a Nest gateway, so these read from the same places.

/**
 * The param type `@WsArgs()` is recorded under: the number Nest gives a gateway's `@MessageBody()`
 * (`WsParamtype.PAYLOAD`). Nest's pipes see it as `type: 'body'` with the parameter's class as `metatype`, so the
 * app's `ValidationPipe` validates it exactly as it validates a gateway's payload. (A `createParamDecorator`
 * parameter is `type: 'custom'`, which `ValidationPipe` skips unless told `validateCustomDecorators`.)
 */
export const WS_ARGS_PARAMTYPE = 3;

type Pipe = Type<PipeTransform> | PipeTransform;

/**
 * The message's arguments (validated when the message has an args class), or one property of them.
 * Pipes apply to it as to a gateway's `@MessageBody()`: `@WsArgs(pipe)`, `@WsArgs('field', pipe)`, `@UsePipes`,
 * and the app's global pipes, a global `ValidationPipe` included (it validates against the parameter's class).
 * @publicApi
 */
export function WsArgs(property?: string, ...pipes: Pipe[]): ParameterDecorator;
export function WsArgs(...pipes: Pipe[]): ParameterDecorator;
export function WsArgs(propertyOrPipe?: string | Pipe, ...pipes: Pipe[]): ParameterDecorator {
  const property = typeof propertyOrPipe === 'string' ? propertyOrPipe : undefined;
  const allPipes = propertyOrPipe === undefined || property !== undefined ? pipes : [propertyOrPipe as Pipe, ...pipes];
  return (target, key, index) => {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key!) ?? {};
    const metadata = assignMetadata(args, WS_ARGS_PARAMTYPE, index, { data: property, pipes: allPipes });
    Reflect.defineMetadata(ROUTE_ARGS_METADATA, metadata, target.constructor, key!);
  };
}

/** The value of a `@WsArgs()` parameter, from the handler's arguments `[session, args, ctx, name]`. */
export function wsArgsValue(property: unknown, handlerArgs: unknown[]): unknown {
  const data = handlerArgs[1] as Record<string, unknown> | null | undefined;
  return typeof property === 'string' && data ? data[property] : data;
}

/** The `WsSession` of the connection. @publicApi */
export const WsClient = createParamDecorator((_: unknown, ctx: ExecutionContext): WsSession => ctx.switchToWs().getClient());

/** The `WsContext` of the message, to reply or send. @publicApi */
export const WsCtx = createParamDecorator((_: unknown, ctx: ExecutionContext): WsContext => ctx.getArgByIndex(2));

/** The user bound to the session, or `undefined`. @publicApi */
export const WsUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToWs().getClient<WsSession>().user,
);
