import { Injectable } from '@nestjs/common';
import { WsContext, WsMessage } from 'nestjs-ws-spaces';

@Injectable()
export class EchoHandlers {
  /** `demo.echo {text}` → `demo.echoed {text}`: a returned value is the reply, under the `reply` name. */
  @WsMessage('demo.echo', { desc: 'Echoes the text back', reply: 'demo.echoed' })
  echo(ctx: WsContext<{ text?: string }>) {
    return { text: ctx.args.text ?? '' };
  }
}
