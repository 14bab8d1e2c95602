import { Injectable } from '@nestjs/common';
import { WsContext, WsFilter } from 'nestjs-ws-spaces';

/** Runs before every handler in every space: names starting with "_" are private to the server. */
@Injectable()
export class GuardFilters {
  @WsFilter()
  async privateNames(ctx: WsContext, next: () => Promise<void>) {
    if (ctx.name.startsWith('_')) ctx.deny('private message');
    await next();
  }
}
