import { Injectable } from '@nestjs/common';
import { WsRaw, WsRawContext, WsSpace } from 'nestjs-ws-spaces';

/**
 * mist's echo on a raw space (/socket/raw): no envelope, every frame goes back as it came, text as text and bytes
 * as bytes. The default space's filters and hooks still run for it, as do the rate limits and the metrics.
 */
@Injectable()
@WsSpace('raw')
export class RawEchoHandlers {
  @WsRaw()
  echo(ctx: WsRawContext) {
    return ctx.data;
  }
}
