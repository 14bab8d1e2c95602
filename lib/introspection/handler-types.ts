import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { WsArgs } from '../decorators/ws-params.decorator.js';

type RouteArgs = Record<string, { index: number; data?: unknown }>;

/**
 * The key Nest files a `@WsArgs()` parameter under, minus its `:<index>` tail. Read once by decorating a probe
 * method, so this follows however `WsArgs` is built instead of copying Nest's key format.
 */
const WS_ARGS_KEY: string | undefined = (() => {
  class Probe {
    method(_: unknown): void {}
  }
  WsArgs()(Probe.prototype, 'method', 0);
  const keys = Object.keys((Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'method') ?? {}) as RouteArgs);
  return keys.length === 1 ? keys[0].replace(/:0$/, '') : undefined;
})();

/** Types TypeScript emits for anything that is not a class of the app's: they describe nothing. */
const OPAQUE = new Set<unknown>([Object, String, Number, Boolean, Array, Function, Promise, Symbol, BigInt, undefined]);

const appClass = (type: unknown): Function | undefined => (typeof type === 'function' && !OPAQUE.has(type) ? type : undefined);

/**
 * The DTO class of a handler's whole-arguments `@WsArgs()` parameter (not `@WsArgs('field')`), read from
 * `design:paramtypes` at that parameter's index; undefined when there is none or its type is not a class.
 */
export function wsArgsClassOf(instance: object, methodName: string): Function | undefined {
  if (!WS_ARGS_KEY) return undefined;
  const routeArgs = (Reflect.getMetadata(ROUTE_ARGS_METADATA, instance.constructor, methodName) ?? {}) as RouteArgs;
  const param = Object.entries(routeArgs).find(([key, meta]) => key === `${WS_ARGS_KEY}:${meta.index}` && meta.data === undefined)?.[1];
  if (!param) return undefined;
  const types = Reflect.getMetadata('design:paramtypes', Object.getPrototypeOf(instance), methodName) as unknown[] | undefined;
  return appClass(types?.[param.index]);
}

/** The class a handler says it returns (`design:returntype`), when it is one of the app's (not a Promise). */
export function returnClassOf(instance: object, methodName: string): Function | undefined {
  return appClass(Reflect.getMetadata('design:returntype', Object.getPrototypeOf(instance), methodName));
}
