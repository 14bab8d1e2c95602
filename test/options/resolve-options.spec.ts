import { Test } from '@nestjs/testing';
import { WsConfigError, WsModule } from 'nestjs-ws-spaces';
import { resolveOptions } from '../../lib/options/resolve-options.js';

describe('resolveOptions', () => {
  it('fills in the seed defaults', () => {
    expect(resolveOptions({})).toMatchObject({
      path: '/ws',
      spaces: { default: '/ws' },
      format: 'text',
      codec: 'json',
      pingInterval: 30_000,
      readTimeout: 75_000,
      writeTimeout: 10_000,
      maxMessageSize: 4 * 1024 * 1024,
      queueSize: 128,
      queuePolicy: 'close',
      maxGroups: 1000,
      compression: false,
      observeInterval: 0,
      observeLog: false,
      observeTrace: false,
    });
  });

  it('reads durations as milliseconds or strings', () => {
    expect(resolveOptions({ pingInterval: 500, readTimeout: '2s', writeTimeout: '1.5s', observeInterval: '1m' })).toMatchObject({
      pingInterval: 500,
      readTimeout: 2000,
      writeTimeout: 1500,
      observeInterval: 60_000,
    });
  });

  it('maps each space to its path beside the default space', () => {
    expect(resolveOptions({ path: '/a', spaces: { custom: '/socket/custom' } }).spaces).toEqual({ default: '/a', custom: '/socket/custom' });
  });

  it('picks binary frames for msgpack', () => {
    expect(resolveOptions({ codec: 'msgpack' }).format).toBe('binary');
  });

  it.each([
    ['an unknown key', { pingIntervall: '1s' }, 'pingIntervall'],
    ['a path without a slash', { path: 'ws' }, 'path'],
    ['a space path used twice', { spaces: { a: '/ws' } }, 'spaces.a'],
    ['a space named default', { spaces: { default: '/d' } }, 'spaces.default'],
    ['a bad space name', { spaces: { 'a b': '/ab' } }, 'spaces.a b'],
    ['an unknown codec', { codec: 'xml' }, 'codec'],
    ['an unknown format', { format: 'utf16' }, 'format'],
    ['msgpack in text frames', { codec: 'msgpack', format: 'text' }, 'format'],
    ['an unparsable duration', { pingInterval: 'soon' }, 'pingInterval'],
    ['a zero write timeout', { writeTimeout: 0 }, 'writeTimeout'],
    ['a read timeout shorter than the ping interval', { pingInterval: '10s', readTimeout: '5s' }, 'readTimeout'],
    ['a negative queue size', { queueSize: -1 }, 'queueSize'],
    ['a fractional message size', { maxMessageSize: 10.5 }, 'maxMessageSize'],
    ['an unknown queue policy', { queuePolicy: 'wait' }, 'queuePolicy'],
    ['a compression level over 9', { compressLevel: 10 }, 'compressLevel'],
    ['a non-boolean flag', { compression: 'yes' }, 'compression'],
    ['a bad node id', { nodeId: 'a.b' }, 'nodeId'],
    ['a port out of range', { port: 70000 }, 'port'],
    ['headers that are not names', { keepHeaders: [1] }, 'keepHeaders'],
    ['options that are not an object', null, 'options'],
    ['spaces that are not a map', { spaces: ['/a'] }, 'spaces'],
    ['a space path with a query', { spaces: { a: '/a?x=1' } }, 'spaces.a'],
    ['a negative per-space connection cap', { spaces: { a: { path: '/a', maxConnections: -1 } } }, 'spaces.a.maxConnections'],
    ['a negative read timeout', { readTimeout: -5 }, 'readTimeout'],
    ['an unparsable shutdown grace', { shutdownGrace: 'later' }, 'shutdownGrace'],
    ['an unparsable observe interval', { observeInterval: '5 parsecs' }, 'observeInterval'],
    ['a message size under 64 bytes', { maxMessageSize: 10 }, 'maxMessageSize'],
    ['a string queue size', { queueSize: '128' }, 'queueSize'],
    ['a tiny queue byte bound', { queueBytes: 10 }, 'queueBytes'],
    ['a negative connection cap', { maxConnections: -1 }, 'maxConnections'],
    ['a rate limit that is not an object', { rateLimit: 5 }, 'rateLimit'],
    ['a zero rate', { rateLimit: { rate: 0 } }, 'rateLimit.rate'],
    ['a zero burst', { rateLimit: { rate: 1, burst: 0 } }, 'rateLimit.burst'],
    ['a misspelt rate limit key', { rateLimit: { rate: 1, brust: 5 } }, 'rateLimit.brust'],
    ['a negative compression threshold', { compressThreshold: -1 }, 'compressThreshold'],
    ['a non-boolean observeLog', { observeLog: 1 }, 'observeLog'],
    ['a non-boolean observeTrace', { observeTrace: 'on' }, 'observeTrace'],
    ['a zero group cap', { maxGroups: 0 }, 'maxGroups'],
  ])('rejects %s, naming the option', (_case, options, name) => {
    expect(() => resolveOptions(options as never)).toThrow(WsConfigError);
    expect(() => resolveOptions(options as never)).toThrow(`"${name}"`);
  });
});

describe('WsModule options at bootstrap', () => {
  it('fails the bootstrap with a message that names a wrong option', async () => {
    const compiling = Test.createTestingModule({ imports: [WsModule.forRoot({ queueSize: -1 })] }).compile();
    await expect(compiling).rejects.toThrow(/Invalid WsModule option "queueSize"/);
  });

  it('fails the bootstrap when a forRootAsync() factory returns a wrong option, naming it', async () => {
    const compiling = Test.createTestingModule({
      imports: [WsModule.forRootAsync({ useFactory: () => ({ queuePolicy: 'wait' as never }) })],
    }).compile();
    await expect(compiling).rejects.toThrow(/Invalid WsModule option "queuePolicy"/);
  });

  it('accepts isGlobal beside the options without taking it for one', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot({ isGlobal: false, path: '/local' })] }).compile();
    const { WS_RESOLVED_OPTIONS } = await import('../../lib/ws.constants.js');
    expect(moduleRef.get(WS_RESOLVED_OPTIONS, { strict: false }).path).toBe('/local');
    await moduleRef.close();
  });

  it('takes its options from forRootAsync() factories', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WsModule.forRootAsync({ useFactory: async () => ({ path: '/async' }) })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const { WS_RESOLVED_OPTIONS } = await import('../../lib/ws.constants.js');
    expect(app.get(WS_RESOLVED_OPTIONS).path).toBe('/async');
    await app.close();
  });
});

describe('space settings', () => {
  it('rejects an unknown key inside a space, naming it', () => {
    expect(() => resolveOptions({ spaces: { a: { path: '/a', maxConection: 3 } as never } })).toThrow('"spaces.a.maxConection"');
  });
});
