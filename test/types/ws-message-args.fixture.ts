// Type tests for `@WsMessage(name, { args })`: compiled by types.spec.ts, which fails on any error, so each
// `@ts-expect-error` below must keep failing to compile, and every other declaration must compile.
import type { Type } from '@nestjs/common';
import { IsString } from 'class-validator';
import { WsArgs, WsClient, type WsContext, WsCtx, WsMessage, type WsSession } from 'nestjs-ws-spaces';

class A { @IsString() a!: string; }
class B { @IsString() b!: string; }
class AB { @IsString() a!: string; @IsString() b!: string; }

export class Handlers {
  @WsMessage('ok.ctx', { args: A })
  okCtx(ctx: WsContext<A>) { return ctx.args.a; }

  @WsMessage('ok.none', { args: A })
  okNone() { return 1; }

  @WsMessage('ok.param', { args: A })
  okParam(@WsArgs() a: A) { return a.a; }

  @WsMessage('ok.wide', { args: AB })
  okWide(ctx: WsContext<{ a: string }>) { return ctx.args.a; }

  @WsMessage('ok.any', { args: A })
  okAny(ctx: WsContext) { return ctx.args; }

  @WsMessage('ok.nullable', { args: A, nullable: true })
  okNullable(ctx: WsContext<A | null>) { return ctx.args?.a; }

  @WsMessage('ok.session', { args: A })
  okSession(@WsClient() session: WsSession, @WsCtx() ctx: WsContext<A>) { return [session.id, ctx.args.a]; }

  @WsMessage('ok.optional', { args: A })
  okOptional(ctx?: WsContext<A>) { return ctx?.args.a; }

  @WsMessage('ok.unknown-class', { args: A as Type<unknown> })
  okUnknownClass(ctx: WsContext<{ x: number }>) { return ctx.args.x; }

  @WsMessage('ok.plain')
  okPlain(ctx: WsContext<{ room: string }>) { return ctx.args.room; }

  // @ts-expect-error WsContext<B> for args A
  @WsMessage('bad.ctx', { args: A })
  badCtx(ctx: WsContext<B>) { return ctx.args.b; }

  // @ts-expect-error the handler wants more than the class validates
  @WsMessage('bad.narrow', { args: A })
  badNarrow(ctx: WsContext<AB>) { return ctx.args.b; }

  // @ts-expect-error nullable: true hands null
  @WsMessage('bad.nullable', { args: A, nullable: true })
  badNullable(ctx: WsContext<A>) { return ctx.args.a; }

  // @ts-expect-error the context a parameter decorator names is checked too
  @WsMessage('bad.decorated', { args: A })
  badDecorated(@WsCtx() ctx: WsContext<B>) { return ctx.args.b; }

  okCtxArgsTyped(ctx: WsContext<A>) {
    // @ts-expect-error ctx.args is an A
    return ctx.args.b;
  }

  defaultIsNotAny(ctx: WsContext) {
    // @ts-expect-error the default is unknown, not any
    return ctx.args.anything;
  }
}
