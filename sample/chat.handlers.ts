import { Injectable } from '@nestjs/common';
import { WsCommand, WsContext, WsMessage } from 'nestjs-ws-spaces';
import { RoomArgs, SaidArgs, SayArgs, SayReply } from './chat.args.js';

/** Rooms are groups: joining one is `ctx.join(room)`, talking to it is `ctx.groupcast(room, ...)`. */
@Injectable()
@WsCommand('chat.said', { desc: 'A chat line, sent to every member of the room', args: SaidArgs, queuePolicy: 'drop' })
export class ChatHandlers {
  @WsMessage('chat.join', { desc: 'Joins a room', args: RoomArgs, nullable: false, reply: 'chat.joined', replyArgs: RoomArgs })
  join(ctx: WsContext<RoomArgs>) {
    ctx.join(ctx.args.room);
    return ctx.reply('chat.joined', { room: ctx.args.room });
  }

  @WsMessage('chat.leave', { desc: 'Leaves a room', args: RoomArgs, nullable: false, reply: 'chat.left', replyArgs: RoomArgs })
  leave(ctx: WsContext<RoomArgs>) {
    ctx.leave(ctx.args.room);
    return ctx.reply('chat.left', { room: ctx.args.room });
  }

  @WsMessage('chat.say', { desc: 'Says something to a room you are in', args: SayArgs, nullable: false, replyArgs: SayReply, rate: { rate: 5, burst: 10 } })
  async say(ctx: WsContext<SayArgs>) {
    const { room, text } = ctx.args;
    if (!ctx.inGroup(room)) ctx.deny(`join "${room}" first`);
    const delivery = await ctx.groupcast(room, 'chat.said', { room, text, from: ctx.user ?? ctx.session.id });
    return { delivered: delivery.success };
  }
}
