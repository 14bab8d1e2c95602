import { Injectable, Logger } from '@nestjs/common';
import { WsContext, WsHook, WsMessage, WsSpace } from 'nestjs-ws-spaces';

/**
 * The `custom` space, at /socket/custom. Its sessions, users and groups are its own; of the messages it does not
 * define, only demo.* and chat.* fall back to the default space's handlers (`inherit`), so `user.login` is 404 here:
 * the user the token established stays put.
 */
@Injectable()
@WsSpace('custom')
export class CustomSpaceHandlers {
  private readonly logger = new Logger('CustomSpace');

  @WsMessage('custom.hello', { desc: 'Greets you from the custom space', reply: 'custom.greeting' })
  hello(ctx: WsContext<{ name?: string }>) {
    // The authenticator bound the user before the session opened.
    return { greeting: `hello ${ctx.args.name ?? ctx.user}, from space ${ctx.space}` };
  }

  @WsHook('open')
  opened(ctx: WsContext) {
    this.logger.log(`session ${ctx.session.id} of ${ctx.user} opened`);
  }

  @WsHook('close')
  closed(ctx: WsContext) {
    this.logger.log(`session ${ctx.session.id} closed`);
  }
}
