import { Injectable } from '@nestjs/common';
import { WsCommand, WsContext, WsMessage } from 'nestjs-ws-spaces';
import { RoomArgs, SaidArgs, SayArgs } from './chat.args.js';

/** Rooms are groups: joining one is `ctx.join(room)`, talking to it is `ctx.groupcast(room, ...)`. */
@Injectable()
@WsCommand('chat.said', { desc: 'A chat line, sent to every member of the room', args: SaidArgs, priority: 'normal' })
export class ChatHandlers {
  @WsMessage('chat.join', { desc: 'Joins a room', args: RoomArgs })
  join(ctx: WsContext<RoomArgs>) {
    const room = roomOf(ctx);
    ctx.join(room);
    return ctx.reply('chat.joined', { room });
  }

  @WsMessage('chat.leave', { desc: 'Leaves a room', args: RoomArgs })
  leave(ctx: WsContext<RoomArgs>) {
    const room = roomOf(ctx);
    ctx.leave(room);
    return ctx.reply('chat.left', { room });
  }

  @WsMessage('chat.say', { desc: 'Says something to a room you are in', args: SayArgs })
  async say(ctx: WsContext<SayArgs>) {
    const room = roomOf(ctx);
    if (!ctx.inGroup(room)) ctx.deny(`join "${room}" first`);
    const text = typeof ctx.args.text === 'string' ? ctx.args.text : ctx.invalid('"text" must be a string');
    const delivery = await ctx.groupcast(room, 'chat.said', { room, text, from: ctx.user ?? ctx.session.id });
    return { delivered: delivery.success };
  }
}

function roomOf(ctx: WsContext<RoomArgs>): string {
  const { room } = ctx.args;
  return typeof room === 'string' && room.length > 0 ? room : ctx.invalid('"room" must be a non-empty string');
}
