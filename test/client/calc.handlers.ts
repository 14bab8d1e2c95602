import { Injectable } from '@nestjs/common';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { WsCommand, type WsContext, WsMessage } from 'nestjs-ws-spaces';

export class AddArgs {
  @IsNumber() a!: number;
  @IsNumber() b!: number;
}

export class SumReply {
  @IsNumber() sum!: number;
}

export class SlowArgs {
  @IsInt() @Min(0) @Max(10_000) ms!: number;
}

export class TickData {
  @IsInt() n!: number;
}

/** The server side of the client's specs: a reply, a slow reply, every error code, pushes and a close. */
@Injectable()
@WsCommand('calc.tick', { args: TickData, desc: 'one of a series of pushes' })
export class CalcHandlers {
  @WsMessage('calc.add', { args: AddArgs, replyArgs: SumReply, desc: 'adds two numbers' })
  add(ctx: WsContext<AddArgs>): SumReply {
    return { sum: ctx.args.a + ctx.args.b };
  }

  @WsMessage('calc.slow', { args: SlowArgs })
  async slow(ctx: WsContext<SlowArgs>) {
    await new Promise((resolve) => setTimeout(resolve, ctx.args.ms));
    return { waited: ctx.args.ms };
  }

  /** Pushes `n` ticks to the caller, then replies: the ticks come first (one session's frames keep their order). */
  @WsMessage('calc.ticks')
  async ticks(ctx: WsContext<{ n: number }>) {
    for (let n = 0; n < ctx.args.n; n++) await ctx.push(ctx.session.id, 'calc.tick', { n });
    return { sent: ctx.args.n };
  }

  @WsMessage('calc.hangup')
  hangup(ctx: WsContext): void {
    setTimeout(() => ctx.close(4001, 'hung up'), 20);
  }

  @WsMessage('err.fail')
  fail(ctx: WsContext): never {
    return ctx.fail('cannot do that', { why: 'because' });
  }

  @WsMessage('err.deny')
  deny(ctx: WsContext): never {
    return ctx.deny('not you');
  }

  @WsMessage('err.throw')
  throws(): never {
    throw new Error('a secret stack');
  }

  @WsMessage('err.rate', { rate: { rate: 1, burst: 1 } })
  rated() {
    return 'ok';
  }
}
