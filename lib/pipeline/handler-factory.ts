import { Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { ExternalContextCreator } from '@nestjs/core';
import type { WsContext } from '../context/ws-context.js';
import type { WsSession } from '../session/ws-session.js';

/** A message handler with the app's guards, interceptors, pipes and exception filters composed around it. */
export type ComposedHandler = (session: WsSession, args: unknown, ctx: WsContext, name: string) => Promise<unknown>;

/** Param decorators here are all custom (createParamDecorator), so no built-in param type needs resolving. */
const NO_BUILT_IN_PARAMS = { exchangeKeyForValue: () => undefined };

/**
 * Composes Nest's enhancers around each message handler once, at bootstrap, with `ExternalContextCreator` and
 * context type 'ws': the same machinery Nest uses for gateways, so guards and filters written for gateways work.
 */
@Injectable()
export class HandlerFactory {
  constructor(private readonly contextCreator: ExternalContextCreator) {}

  create(instance: object, methodName: string): ComposedHandler {
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
    const hasParamDecorators = Reflect.getMetadataKeys(instance.constructor, methodName).includes(ROUTE_ARGS_METADATA);
    // Without param decorators a handler takes the context alone. Enhancers read their metadata from the function
    // they are given, so the adapter carries the method's metadata.
    const callback = hasParamDecorators ? method : withMetadataOf(method, function (this: unknown, ...args: unknown[]) {
      return method.call(this, args[2]);
    });
    return this.contextCreator.create(
      instance as never,
      callback,
      methodName,
      ROUTE_ARGS_METADATA,
      NO_BUILT_IN_PARAMS,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      'ws',
    ) as ComposedHandler;
  }
}

function withMetadataOf<F extends Function>(source: Function, target: F): F {
  for (const key of Reflect.getMetadataKeys(source)) Reflect.defineMetadata(key, Reflect.getMetadata(key, source), target);
  Object.defineProperty(target, 'name', { value: source.name });
  return target;
}
