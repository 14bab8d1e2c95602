import { Injectable } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { ExternalContextCreator } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { isObservable, lastValueFrom } from 'rxjs';
import { WS_ARGS_PARAMTYPE, wsArgsValue } from '../decorators/ws-params.decorator.js';
import type { ComposedHandler } from '../registry/registry-entries.js';
import { type HandlerFilters, type NestEnhancerContexts, nestEnhancerContexts } from './nest-enhancer-contexts.js';

/**
 * Resolves the one non-custom param type, `@WsArgs()` (recorded like a gateway's `@MessageBody()`, so the app's
 * pipes see it as one); the other parameter decorators are custom ones, which Nest resolves by itself.
 */
const WS_PARAMS = {
  exchangeKeyForValue: (type: number, data: unknown, args: unknown[]) => (type === WS_ARGS_PARAMTYPE ? wsArgsValue(data, args) : undefined),
};

/**
 * Composes Nest's enhancers around each message handler once, at bootstrap, with `ExternalContextCreator` and
 * context type 'ws': the same machinery Nest uses for gateways, so guards and filters written for gateways work.
 *
 * The app's exception filters run here too, but not Nest's default one: it logs every exception that is not an
 * `IntrinsicException`, a `WsException` included, and an answer to a client is not an error of the server. What no
 * filter handles goes back to the dispatcher, which replies and logs only what deserves it (500s).
 */
@Injectable()
export class HandlerFactory {
  private readonly contexts: NestEnhancerContexts;

  constructor(private readonly contextCreator: ExternalContextCreator) {
    this.contexts = nestEnhancerContexts(contextCreator);
  }

  create(instance: object, methodName: string): ComposedHandler {
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
    const hasParamDecorators = Reflect.getMetadataKeys(instance.constructor, methodName).includes(ROUTE_ARGS_METADATA);
    // Without param decorators a handler takes the context alone. Enhancers read their metadata from the function
    // they are given, so the adapter carries the method's metadata.
    const callback = hasParamDecorators
      ? method
      : withMetadataOf(method, function (this: unknown, ...args: unknown[]) {
          return method.call(this, args[2]);
        });
    const filters = this.filtersOf(instance, callback);
    const plain = !hasParamDecorators && !this.enhanced(instance, callback, filters);
    const handler = this.contextCreator.create(
      instance as never,
      callback,
      methodName,
      ROUTE_ARGS_METADATA,
      WS_PARAMS,
      undefined,
      undefined,
      // Without access to the filters (a Nest that moved its internals), let Nest run them, default one included.
      { guards: true, interceptors: true, filters: !filters },
      'ws',
    ) as ComposedHandler;
    // Nothing around the method: the dispatcher may call it directly, in the frame's turn, unwrapped.
    if (plain) handler.direct = (ctx) => method.call(instance, ctx);
    if (!filters) return handler;
    const wrapped: ComposedHandler = async (...args) => {
      try {
        return await handler(...args);
      } catch (exception) {
        const host = new ExecutionContextHost(args, instance.constructor as never, callback);
        host.setType('ws');
        const handled = filters.invokeCustomFilters(exception, host);
        if (handled === undefined) throw exception;
        return isObservable(handled) ? lastValueFrom(handled, { defaultValue: undefined }) : handled;
      }
    };
    wrapped.direct = handler.direct;
    return wrapped;
  }

  /**
   * Whether any guard, interceptor or exception filter applies to the handler (the method's, its class's, or a global
   * one: `useGlobalGuards()`, `APP_GUARD`, ...), asked of the same context creators `ExternalContextCreator` composes
   * with, so the answer is what Nest would run. When they cannot be read, the answer is yes, and every handler keeps
   * Nest's wrapping.
   */
  private enhanced(instance: object, callback: Function, filters: HandlerFilters | undefined): boolean {
    const { guards, interceptors, filters: filterContext } = this.contexts;
    if (!filters || !guards || !interceptors || !filterContext) return true;
    const moduleKey = this.contextCreator.getContextModuleKey(instance.constructor);
    const present = (list: unknown[] | undefined) => !Array.isArray(list) || list.length > 0;
    // `filtersOf` ran the filter context's `create` just before, which set the module this lookup reads.
    return (
      present(guards.create(instance, callback, moduleKey)) ||
      present(interceptors.create(instance, callback, moduleKey)) ||
      present(filterContext.createContext(instance, callback, EXCEPTION_FILTERS_METADATA))
    );
  }

  /**
   * The app's filters for a handler, without Nest's default one: the public path, `filters: true`, adds it, and it
   * would log an unhandled `WsException` and every 500 a second time. Undefined when Nest's filter context cannot
   * be read; the public path is then taken.
   */
  private filtersOf(instance: object, callback: Function): HandlerFilters | undefined {
    const creator = this.contexts.filters;
    if (!creator) return undefined;
    const moduleKey = this.contextCreator.getContextModuleKey(instance.constructor);
    const filters = creator.create(instance, callback, moduleKey);
    return typeof filters?.invokeCustomFilters === 'function' ? filters : undefined;
  }
}

function withMetadataOf<F extends Function>(source: Function, target: F): F {
  for (const key of Reflect.getMetadataKeys(source)) Reflect.defineMetadata(key, Reflect.getMetadata(key, source), target);
  Object.defineProperty(target, 'name', { value: source.name });
  return target;
}
