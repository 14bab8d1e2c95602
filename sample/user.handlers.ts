import { Injectable } from '@nestjs/common';
import { WsContext, WsMessage } from 'nestjs-ws-spaces';
import { LoginArgs, UserBound } from './user.args.js';

@Injectable()
export class UserHandlers {
  /** Binds the session to a user, so `pushUser(uid)` reaches it (and every other session of that user). */
  @WsMessage('user.login', { desc: 'Binds this session to a user id', args: LoginArgs, nullable: false, reply: 'user.bound', replyArgs: UserBound })
  login(ctx: WsContext<LoginArgs>) {
    ctx.bindUser(ctx.args.uid);
    return ctx.reply('user.bound', { uid: ctx.args.uid, sid: ctx.session.id });
  }
}
