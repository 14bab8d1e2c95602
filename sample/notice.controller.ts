import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { type Delivery, WsBroker, WsCommand } from 'nestjs-ws-spaces';
import { NoticeArgs } from './notice.args.js';

/**
 * Plain HTTP routes that send to WebSocket clients through the injected broker. Notices are declared high
 * priority: they overtake queued chat lines on a slow connection, and a full queue makes the sender wait.
 */
@Controller('notice')
@WsCommand('demo.notice', { desc: 'A notice from the server', args: NoticeArgs, priority: 'high' })
export class NoticeController {
  constructor(private readonly ws: WsBroker) {}

  @Post()
  @HttpCode(200)
  broadcast(@Body() body: { text?: string }): Promise<Delivery> {
    return this.ws.broadcast('demo.notice', { text: String(body?.text ?? '') });
  }

  @Post('user')
  @HttpCode(200)
  toUser(@Body() body: { uid?: string; text?: string }): Promise<Delivery> {
    return this.ws.pushUser(String(body?.uid ?? ''), 'demo.notice', { text: String(body?.text ?? '') });
  }
}
