import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsCommand, WsContext, WsMessage, WsModule, WsPrefix, WsSpace, type WsProtocolExport } from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
@WsPrefix('chat.')
@WsCommand('said', { desc: 'a line said in a room' })
class ChatHandlers {
  @WsMessage('join', { reply: 'chat.joined' }) // `reply` is a full name: not prefixed
  join(ctx: WsContext<{ room: string }>) {
    return { room: ctx.args.room, name: ctx.name };
  }

  @WsMessage('say')
  async say(ctx: WsContext<{ text: string }>) {
    await ctx.reply('chat.said', { text: ctx.args.text }); // the prefixed command, by its full name
  }
}

@Injectable()
@WsSpace('admin')
@WsPrefix('admin.')
class AdminHandlers {
  @WsMessage('stats')
  stats(ctx: WsContext) {
    return { space: ctx.space };
  }
}

/** Declares `chat.join` in full: it collides with the prefixed `join` above. */
@Injectable()
class FullNameJoin {
  @WsMessage('chat.join')
  join() {
    return 'other';
  }
}

/** Declares `said` under the prefix `chat.` too: the same command twice. */
@Injectable()
@WsPrefix('chat.')
@WsCommand('said')
class SaidAgain {}

describe('@WsPrefix: names declared once', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { admin: '/admin' } })],
      providers: [ChatHandlers, AdminHandlers],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('handles the prefixed names, and not the bare ones', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('chat.join', { room: 'lobby' }, 1)).toMatchObject({
      code: 0,
      name: 'chat.joined',
      data: { room: 'lobby', name: 'chat.join' },
      id: 1,
    });
    expect(await client.request('chat.say', { text: 'hi' }, 2)).toMatchObject({ code: 0, name: 'chat.said', data: { text: 'hi' }, id: 2 });
    expect(await client.request('join', { room: 'lobby' }, 3)).toMatchObject({ code: 404, id: 3 });
  });

  it('applies with @WsSpace: the prefixed names live in the class\'s space', async () => {
    const admin = await connect(running.wsUrl('/admin'));
    expect(await admin.request('admin.stats', {}, 's')).toMatchObject({ code: 0, data: { space: 'admin' } });
    const plain = await connect(running.wsUrl());
    expect(await plain.request('admin.stats', {}, 's')).toMatchObject({ code: 404 });
  });

  it('exports the full names of messages and commands', async () => {
    const exported = (await (await fetch(running.httpUrl('/ws/export'))).json()) as WsProtocolExport;
    expect(exported.messages.map((m) => `${m.space}:${m.name}`).sort()).toEqual(['admin:admin.stats', 'default:chat.join', 'default:chat.say']);
    expect(exported.commands.map((c) => c.name)).toEqual(['chat.said']);
    expect(exported.messages.find((m) => m.name === 'chat.join')).toMatchObject({
      reply: 'chat.joined',
      request: { name: 'chat.join' },
    });
  });

  describe('duplicates are detected on the full names', () => {
    const boot = async (providers: Function[]) => {
      const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot()], providers: providers as never[] }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      try {
        await app.init();
      } finally {
        await app.close().catch(() => undefined);
      }
    };

    it('a prefixed message and one declared in full under the same name', async () => {
      await expect(boot([ChatHandlers, FullNameJoin])).rejects.toThrow(
        /Two message handlers for "chat.join" in space "default": ChatHandlers\.join and FullNameJoin\.join/,
      );
    });

    it('a command declared twice under the same prefix', async () => {
      await expect(boot([ChatHandlers, SaidAgain])).rejects.toThrow(/Two command handlers for "chat.said" in space "default"/);
    });
  });
});
