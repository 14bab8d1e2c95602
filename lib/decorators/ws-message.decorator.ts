import type { Type } from '@nestjs/common';
import type { WsContext } from '../context/ws-context.js';
import type { WsMessageOptions } from '../interfaces/ws-message-options.interface.js';
import type { WsMessageMetadata } from '../registry/registry-entries.js';
import { WS_MESSAGE_METADATA } from '../ws.constants.js';
import { appendMetadata } from './append-metadata.util.js';

/**
 * What `@WsMessage(name, { args: A })` accepts: a method whose first parameter, when it is a `WsContext`, takes
 * the context the handler will really get (`WsContext<A>`, or `WsContext<A | null>` with `nullable: true`). A
 * method without parameters, or whose first parameter is not a context (parameter decorators: `@WsArgs() dto`),
 * is accepted as is, and so is any method when the class's type is unknown (`args: someType as Type<unknown>`).
 * On a mismatch the required type names the expected context, so the compiler's message says what to write.
 */
export type WsHandlerFor<M, A> = M extends (...params: infer P) => unknown
  ? P extends [] | (unknown extends A ? unknown : never) // no parameter, or an args class typed `unknown`: nothing to check
    ? M
    : [NonNullable<P[0]>] extends [WsContext<any>]
      ? [WsContext<A>] extends [P[0]]
        ? M
        : ((ctx: WsContext<A>, ...rest: any[]) => unknown) & { readonly 'the handler takes a WsContext of its args class': WsContext<A> }
      : M
  : M;

/** The decorator `@WsMessage(name, { args: A })` returns, checking the method's signature against `A`. */
export type WsMessageDecorator<A> = <M>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M> & TypedPropertyDescriptor<WsHandlerFor<M, A>>,
) => void;

/**
 * Handles the inbound message `name`. The method receives a `WsContext`; a value it returns (or resolves to)
 * is replied under the same name, unless the handler already replied itself. With `args`, a method taking the
 * context must take `WsContext<Args>` (`WsContext<Args | null>` with `nullable: true`): a mismatch does not compile.
 * @publicApi
 */
export function WsMessage<A, N extends boolean = false>(
  name: string,
  options: WsMessageOptions & { args: Type<A>; nullable?: N },
): WsMessageDecorator<N extends true ? A | null : A>;
export function WsMessage(name: string, options?: WsMessageOptions): MethodDecorator;
export function WsMessage(name: string, options: WsMessageOptions = {}) {
  return <M>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<M>) => {
    appendMetadata<WsMessageMetadata>(WS_MESSAGE_METADATA, { ...options, name }, descriptor.value as object);
    return descriptor;
  };
}
