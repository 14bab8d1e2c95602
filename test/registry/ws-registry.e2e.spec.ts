import { Test } from '@nestjs/testing';
import { WsModule } from 'nestjs-ws-spaces';
import { WsRegistry } from '../../lib/registry/ws.registry.js';
import {
  CustomCommands,
  CustomSpaceHandlers,
  DefaultCommands,
  DefaultSpaceHandlers,
  DuplicateCommand,
  DuplicateA,
  DuplicateB,
  DuplicateInOtherSpace,
  FactoryMadeHandlers,
  ThirdSpaceHandlers,
  Trail,
  UnconfiguredSpace,
} from '../fixtures/spaces.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

const spaces = { custom: '/custom', third: '/third' };

describe('WsRegistry: discovery and resolution', () => {
  let running: RunningApp;
  let trail: Trail;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces })],
      providers: [
        Trail,
        DefaultSpaceHandlers,
        CustomSpaceHandlers,
        ThirdSpaceHandlers,
        DefaultCommands,
        CustomCommands,
        { provide: 'FACTORY_MADE', useFactory: () => new FactoryMadeHandlers() },
        // An alias hands out the same instance again: its handlers must not be registered twice.
        { provide: 'ALIAS', useExisting: DefaultSpaceHandlers },
      ],
    });
    trail = running.app.get(Trail);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);
  beforeEach(() => {
    trail.steps.length = 0;
  });

  it('resolves a message in the session\'s space before the default space', async () => {
    const custom = await connect(running.wsUrl('/custom'));
    expect((await custom.request('where')).data).toEqual({ handler: 'custom', space: 'custom' });
    const plain = await connect(running.wsUrl('/ws'));
    expect((await plain.request('where')).data).toEqual({ handler: 'default', space: 'default' });
  });

  it('falls back to the default space for a message the space does not define', async () => {
    const custom = await connect(running.wsUrl('/custom'));
    expect((await custom.request('only.default')).data).toEqual({ handler: 'default', space: 'custom' });
  });

  it('runs the default space\'s filters and hooks first, then the space\'s own', async () => {
    const custom = await connect(running.wsUrl('/custom'));
    await custom.request('where');
    expect(trail.steps).toEqual(['receive:default:custom', 'receive:custom', 'filter:default:custom', 'filter:custom']);
  });

  it('runs only the default space\'s filters and hooks for a default-space session', async () => {
    const plain = await connect(running.wsUrl('/ws'));
    await plain.request('where');
    expect(trail.steps).toEqual(['receive:default:default', 'filter:default:default']);
  });

  it('resolves error handlers in the session\'s space, then the default space', async () => {
    const third = await connect(running.wsUrl('/third'));
    expect(await third.request('guarded')).toMatchObject({ code: 403, name: 'denied.third' });
    const custom = await connect(running.wsUrl('/custom'));
    expect(await custom.request('guarded')).toMatchObject({ code: 403, name: 'denied.default', data: { reason: 'no entry' } });
  });

  it('resolves commands in the session\'s space, then the default space', () => {
    const registry = running.app.get(WsRegistry);
    const command = (space: string, name: string) => registry.table(space).commands.get(name)?.options;
    expect(command('custom', 'cmd.both')).toMatchObject({ desc: 'custom', priority: 'normal', queuePolicy: 'drop' });
    expect(command('custom', 'cmd.inherited')).toMatchObject({ desc: 'default', priority: 'low' });
    expect(command('default', 'cmd.both')).toMatchObject({ desc: 'default', priority: 'high' });
    expect(command('third', 'cmd.both')).toMatchObject({ desc: 'default' });
  });

  it('never resolves a message in a space other than the session\'s or the default', async () => {
    const third = await connect(running.wsUrl('/third'));
    expect((await third.request('where')).data).toEqual({ handler: 'default', space: 'third' });
  });

  it('registers an aliased provider (useExisting) once', async () => {
    const plain = await connect(running.wsUrl('/ws'));
    expect((await plain.request('only.default')).data).toEqual({ handler: 'default', space: 'default' });
  });

  it('discovers handlers on providers made by a factory', async () => {
    const plain = await connect(running.wsUrl('/ws'));
    expect((await plain.request('from.factory')).data).toBe('made by a factory');
  });
});

describe('WsRegistry: bootstrap errors', () => {
  const boot = async (providers: any[]) => {
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot({ spaces })], providers }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('fails when two handlers share a name in one space, naming both', async () => {
    await expect(boot([DuplicateA, DuplicateB])).rejects.toThrow(
      /Two message handlers for "dup" in space "default": DuplicateA\.a and DuplicateB\.b/,
    );
  });

  it('fails when two classes declare one command in one space, naming both', async () => {
    await expect(boot([DefaultCommands, DuplicateCommand])).rejects.toThrow(
      /Two command handlers for "cmd.both" in space "default": DefaultCommands and DuplicateCommand/,
    );
  });

  it('accepts one name in two spaces', async () => {
    await expect(boot([DuplicateA, DuplicateInOtherSpace])).resolves.toBeUndefined();
  });

  it('fails when a class belongs to a space that is not configured, naming it', async () => {
    await expect(boot([UnconfiguredSpace])).rejects.toThrow(/UnconfiguredSpace\.lost belongs to space "nowhere"/);
  });
});
