import { Injectable } from '@nestjs/common';
import { WsContext, WsMessage } from 'nestjs-ws-spaces';
import { EchoArgs } from './echo.args.js';

@Injectable()
export class EchoHandlers {
  /** `demo.echo {text}` → `demo.echoed {text}`: a returned value is the reply, under the `reply` name. */
  @WsMessage('demo.echo', { desc: 'Echoes the text back', args: EchoArgs, nullable: false, reply: 'demo.echoed', replyArgs: EchoArgs })
  echo(ctx: WsContext<EchoArgs>) {
    return { text: ctx.args.text };
  }
}
