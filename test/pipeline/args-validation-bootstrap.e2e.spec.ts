import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsConfigError, type WsContext, WsMessage, WsModule, type WsModuleOptions } from 'nestjs-ws-spaces';
import { MoveArgs } from '../fixtures/validation.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp } from '../helpers/start-app.js';

/** A class a user might write expecting it to validate: typed fields, no class-validator decorator. */
class BareArgs {
  text!: string;
}

/** Inherits its declared fields. */
class MoveArgsWithNote extends MoveArgs {}

@Injectable()
class BareHandlers {
  @WsMessage('bare.say', { args: BareArgs })
  say(ctx: WsContext<BareArgs>) {
    return ctx.args;
  }
}

@Injectable()
class InheritingHandlers {
  @WsMessage('move.inherited', { args: MoveArgsWithNote })
  move(ctx: WsContext<MoveArgsWithNote>) {
    return { who: ctx.args.who };
  }
}

async function boot(providers: any[], options: WsModuleOptions = {}): Promise<void> {
  const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot(options)], providers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } finally {
    await app.close().catch(() => undefined);
  }
}

describe('Argument classes at bootstrap', () => {
  afterEach(closeAllClients);

  it('refuses an args class without class-validator decorators, naming the class and the message', async () => {
    const booting = boot([BareHandlers]);
    await expect(booting).rejects.toBeInstanceOf(WsConfigError);
    await expect(booting).rejects.toThrow(/args class BareArgs of message "bare\.say" \(BareHandlers\.say\) has no class-validator decorators/);
  });

  it('accepts a class whose decorators are inherited', async () => {
    await expect(boot([InheritingHandlers])).resolves.toBeUndefined();
  });

  it('accepts a decorator-less class when whitelist is off, where nothing is stripped', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ validation: { whitelist: false } })], providers: [BareHandlers] });
    try {
      const client = await connect(running.wsUrl());
      expect(await client.request('bare.say', { text: 'kept' })).toMatchObject({ code: 0, data: { text: 'kept' } });
    } finally {
      await closeAllClients();
      await running.close();
    }
  });
});
