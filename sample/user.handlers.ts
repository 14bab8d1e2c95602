import { Injectable } from '@nestjs/common';
import { WsContext, WsMessage } from 'nestjs-ws-spaces';

@Injectable()
export class UserHandlers {
  /** Binds the session to a user, so `pushUser(uid)` reaches it (and every other session of that user). */
  @WsMessage('user.login', { desc: 'Binds this session to a user id' })
  login(ctx: WsContext<{ uid?: string }>) {
    const { uid } = ctx.args;
    if (typeof uid !== 'string' || uid.length === 0) ctx.invalid('"uid" must be a non-empty string');
    ctx.bindUser(uid);
    return ctx.reply('user.bound', { uid, sid: ctx.session.id });
  }
}
