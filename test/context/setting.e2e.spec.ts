import { type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import {
  WsCommand,
  WsContext,
  WsFilter,
  WsHandler,
  WsHook,
  WsMessage,
  WsModule,
  type WsProtocolExport,
  type WsSetting,
} from 'nestjs-ws-spaces';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

/** What each reader saw as `ctx.setting`, by where it read it. */
@Injectable()
class Seen {
  readonly entries: Array<[string, string, WsSetting]> = [];
  of(where: string, name: string) {
    return this.entries.filter(([w, n]) => w === where && n === name).map(([, , s]) => s);
  }
}

/** A guard reads the handler's setting from the `WsContext` at argument 2. */
@Injectable()
class RoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const ctx = context.getArgByIndex<WsContext>(2);
    return ctx.setting.role !== 'admin' || ctx.session.request.query.role === 'admin';
  }
}

@Injectable()
@WsCommand('audit.entry', { setting: { persist: true } })
class SettingHandlers {
  constructor(private readonly seen: Seen) {}

  @WsHook('open')
  open(ctx: WsContext) {
    this.seen.entries.push(['open', ctx.name, ctx.setting]);
  }

  @WsHook('receive')
  receive(ctx: WsContext) {
    this.seen.entries.push(['receive', ctx.name, ctx.setting]);
  }

  @WsHook('send')
  send(ctx: WsContext) {
    this.seen.entries.push(['send', ctx.name, ctx.setting]);
  }

  @WsFilter()
  async filter(ctx: WsContext, next: () => Promise<void>) {
    this.seen.entries.push(['filter', ctx.name, ctx.setting]);
    if (ctx.setting.maintenance === true) ctx.deny('down for maintenance');
    await next();
  }

  @WsMessage('s.read', { setting: { role: 'user', limit: 3 } })
  read(ctx: WsContext) {
    return { setting: ctx.setting };
  }

  @WsMessage('s.admin', { setting: { role: 'admin' } })
  @UseGuards(RoleGuard)
  admin() {
    return 'welcome, admin';
  }

  @WsMessage('s.closed', { setting: { maintenance: true } })
  closed() {
    return 'never';
  }

  @WsMessage('s.plain')
  async plain(ctx: WsContext) {
    await ctx.reply('audit.entry', { setting: ctx.setting });
  }

  @WsMessage('s.throws', { setting: { owner: 'billing' } })
  throws(): never {
    throw new Error('boom');
  }

  @WsHandler('error')
  error(ctx: WsContext) {
    return ctx.reply(ctx.name, { owner: ctx.setting.owner }, { code: 500, text: 'handled' });
  }
}

describe('ctx.setting: the app\'s own record on a message or a command', () => {
  let running: RunningApp;
  let seen: Seen;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { other: '/other' } })],
      providers: [Seen, RoleGuard, SettingHandlers],
    });
    seen = running.app.get(Seen);
  });
  afterAll(() => running.close());
  beforeEach(() => {
    seen.entries.length = 0;
  });
  afterEach(closeAllClients);

  it('is the message\'s setting in the handler, the receive hooks and the filters', async () => {
    const client = await connect(running.wsUrl());
    expect((await client.request('s.read', {}, 1)).data).toEqual({ setting: { role: 'user', limit: 3 } });
    expect(seen.of('receive', 's.read')).toEqual([{ role: 'user', limit: 3 }]);
    expect(seen.of('filter', 's.read')).toEqual([{ role: 'user', limit: 3 }]);
  });

  it('lets a filter refuse by setting', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('s.closed', {}, 2)).toMatchObject({ code: 403, text: 'down for maintenance', id: 2 });
  });

  it('reaches guards through the WsContext at argument 2', async () => {
    const guest = await connect(running.wsUrl());
    expect(await guest.request('s.admin', {}, 3)).toMatchObject({ code: 403, id: 3 });
    const admin = await connect(running.wsUrl() + '?role=admin');
    expect(await admin.request('s.admin', {}, 4)).toMatchObject({ code: 0, data: 'welcome, admin', id: 4 });
  });

  it('reaches the error handler', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('s.throws', {}, 5)).toMatchObject({ code: 500, data: { owner: 'billing' }, text: 'handled', id: 5 });
  });

  it('is the command\'s setting in a send hook, {} for a message without one and in open hooks', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('s.plain', {}, 6)).toMatchObject({ name: 'audit.entry', data: { setting: {} } });
    expect(seen.of('send', 'audit.entry')).toEqual([{ persist: true }]);
    expect(seen.of('open', '')).toEqual([{}]);
    expect(Object.isFrozen(seen.of('open', '')[0])).toBe(true);
  });

  it('follows a message inherited by another space', async () => {
    const other = await connect(running.wsUrl('/other'));
    expect((await other.request('s.read', {}, 7)).data).toEqual({ setting: { role: 'user', limit: 3 } });
  });

  it('is left out of the export and the AsyncAPI document', async () => {
    const exported = (await (await fetch(running.httpUrl('/ws/export'))).json()) as WsProtocolExport;
    expect(exported.messages.find((m) => m.name === 's.read')).toBeDefined();
    expect(exported.commands.find((c) => c.name === 'audit.entry')).toBeDefined();
    for (const text of [JSON.stringify(exported), await (await fetch(running.httpUrl('/ws/asyncapi.json'))).text()]) {
      expect(text).not.toContain('setting');
      expect(text).not.toContain('maintenance');
      expect(text).not.toContain('persist');
    }
  });
});
