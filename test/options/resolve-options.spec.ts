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
      handshakeTimeout: 10_000,
    });
  });

  it('keeps no trace by default, 100 messages with trace: true, and the size it is given', () => {
    expect(resolveOptions({}).trace).toBe(false);
    expect(resolveOptions({ trace: false }).trace).toBe(false);
    expect(resolveOptions({ trace: true }).trace).toEqual({ size: 100 });
    expect(resolveOptions({ trace: {} }).trace).toEqual({ size: 100 });
    expect(resolveOptions({ trace: { size: 7 } }).trace).toEqual({ size: 7 });
  });

  it('sends no welcome by default, "ws.welcome" with welcome: true, and the name it is given', () => {
    expect(resolveOptions({}).welcome).toBe(false);
    expect(resolveOptions({ welcome: false }).welcome).toBe(false);
    expect(resolveOptions({ welcome: true }).welcome).toBe('ws.welcome');
    expect(resolveOptions({ welcome: 'connection.established' }).welcome).toBe('connection.established');
  });

  it('keeps no session for resumption by default; resume: true keeps one 30 s with up to 1000 frames', () => {
    expect(resolveOptions({}).resume).toBe(false);
    expect(resolveOptions({ welcome: true, resume: true }).resume).toEqual({ window: 30_000, buffer: 1000 });
    expect(resolveOptions({ welcome: true, resume: { window: '5m', buffer: 10 } }).resume).toEqual({ window: 300_000, buffer: 10 });
  });

  it('keeps the resolveSpace function it is given, and none by default', () => {
    const resolveSpace = () => undefined;
    expect(resolveOptions({}).resolveSpace).toBeUndefined();
    expect(resolveOptions({ resolveSpace }).resolveSpace).toBe(resolveSpace);
  });

  it('reads durations as milliseconds or strings', () => {
    expect(resolveOptions({ pingInterval: 500, readTimeout: '2s', writeTimeout: '1.5s', observeInterval: '1m' })).toMatchObject({
      pingInterval: 500,
      readTimeout: 2000,
      writeTimeout: 1500,
      observeInterval: 60_000,
    });
  });

  it('gives Redis a publish timeout of 1 s unless told, and no secret', () => {
    expect(resolveOptions({ redis: { url: 'redis://127.0.0.1:6379' } }).redis).toMatchObject({ publishTimeout: 1000, secret: undefined });
    expect(resolveOptions({ redis: { publishTimeout: '250ms', secret: 'sixteen-chars-ok' } }).redis).toMatchObject({ publishTimeout: 250, secret: 'sixteen-chars-ok' });
  });

  it('takes a Redis Cluster as a list of { host, port }, beside keyPrefix, publishTimeout, secret and password', () => {
    const nodes = [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }];
    expect(resolveOptions({ redis: { cluster: nodes, keyPrefix: 'chat', publishTimeout: '500ms', password: 'pw' } }).redis).toMatchObject({
      cluster: nodes,
      keyPrefix: 'chat',
      publishTimeout: 500,
      password: 'pw',
    });
    expect(resolveOptions({ redis: { url: 'redis://127.0.0.1:6379' } }).redis!.cluster).toBeUndefined();
  });

  it('gives the presence directory a 15 s lease unless told', () => {
    expect(resolveOptions({ redis: {} }).redis!.leaseTtl).toBe(15_000);
    expect(resolveOptions({ redis: { leaseTtl: '3s' } }).redis!.leaseTtl).toBe(3000);
  });

  it('routes pushUser and groupcast by interest unless told to use the shared channel', () => {
    expect(resolveOptions({ redis: {} }).redis!.routing).toBe('interest');
    expect(resolveOptions({ redis: { routing: 'shared' } }).redis!.routing).toBe('shared');
    expect(resolveOptions({ redis: { routing: 'interest' } }).redis!.routing).toBe('interest');
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
    ['an inherit that is neither a flag nor a list', { spaces: { a: { path: '/a', inherit: 'demo.' as never } } }, 'spaces.a.inherit'],
    ['an inherit list with an empty name', { spaces: { a: { path: '/a', inherit: [''] } } }, 'spaces.a.inherit'],
    ['a negative read timeout', { readTimeout: -5 }, 'readTimeout'],
    ['a zero handshake timeout', { handshakeTimeout: 0 }, 'handshakeTimeout'],
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
    ['a zero byte budget', { rateLimit: { rate: 1, bytesPerSecond: 0 } }, 'rateLimit.bytesPerSecond'],
    ['a byte burst under maxMessageSize', { maxMessageSize: 4096, rateLimit: { rate: 1, bytesPerSecond: 1024, bytesBurst: 4095 } }, 'rateLimit.bytesBurst'],
    ['a byte burst without a byte budget', { rateLimit: { rate: 1, bytesBurst: 4096 } }, 'rateLimit.bytesBurst'],
    ['a negative compression threshold', { compressThreshold: -1 }, 'compressThreshold'],
    ['a non-boolean observeLog', { observeLog: 1 }, 'observeLog'],
    ['a non-boolean observeTrace', { observeTrace: 'on' }, 'observeTrace'],
    ['a trace that is neither a flag nor { size }', { trace: 'on' }, 'trace'],
    ['a trace size of zero', { trace: { size: 0 } }, 'trace.size'],
    ['an unknown trace key', { trace: { length: 5 } }, 'trace.length'],
    ['a zero group cap', { maxGroups: 0 }, 'maxGroups'],
    ['a zero Redis publish timeout', { redis: { publishTimeout: 0 } }, 'redis.publishTimeout'],
    ['a short Redis secret', { redis: { secret: 'short' } }, 'redis.secret'],
    ['an empty Redis cluster', { redis: { cluster: [] } }, 'redis.cluster'],
    ['a Redis cluster that is not a list', { redis: { cluster: { host: 'a', port: 1 } } }, 'redis.cluster'],
    ['a Redis cluster node without a port', { redis: { cluster: [{ host: 'a' }] } }, 'redis.cluster[0].port'],
    ['a Redis cluster node with a bad host', { redis: { cluster: [{ host: 'a', port: 1 }, { host: '', port: 2 }] } }, 'redis.cluster[1].host'],
    ['a Redis cluster node with an unknown key', { redis: { cluster: [{ host: 'a', port: 1, db: 2 }] } }, 'redis.cluster[0]'],
    ['a Redis cluster beside a url', { redis: { cluster: [{ host: 'a', port: 1 }], url: 'redis://b:6379' } }, 'redis.cluster'],
    ['a Redis cluster beside a host', { redis: { cluster: [{ host: 'a', port: 1 }], host: 'b' } }, 'redis.cluster'],
    ['a Redis cluster beside a db', { redis: { cluster: [{ host: 'a', port: 1 }], db: 1 } }, 'redis.cluster'],
    ['a presence lease under 1.5 s', { redis: { leaseTtl: '1s' } }, 'redis.leaseTtl'],
    ['an unknown routing design', { redis: { routing: 'broadcast' } }, 'redis.routing'],
    ['a routing design in capitals', { redis: { routing: 'Shared' } }, 'redis.routing'],
    ['a welcome that is neither a flag nor a name', { welcome: 1 }, 'welcome'],
    ['an empty welcome name', { welcome: '' }, 'welcome'],
    ['a resume without the welcome that carries its token', { resume: true }, 'resume'],
    ['a resume window of zero', { welcome: true, resume: { window: 0 } }, 'resume.window'],
    ['a resume buffer of zero frames', { welcome: true, resume: { buffer: 0 } }, 'resume.buffer'],
    ['an unknown resume key', { welcome: true, resume: { ttl: '1m' } }, 'resume.ttl'],
    ['a resolveSpace that is not a function', { resolveSpace: { '/rooms': 'rooms' } }, 'resolveSpace'],
  ])('rejects %s, naming the option', (_case, options, name) => {
    expect(() => resolveOptions(options as never)).toThrow(WsConfigError);
    expect(() => resolveOptions(options as never)).toThrow(`"${name}"`);
  });
});

describe('resolveOptions: the byte budget of rateLimit', () => {
  it('is off unless bytesPerSecond is set', () => {
    expect(resolveOptions({ rateLimit: { rate: 5 } }).rateLimit).toMatchObject({ rate: 5, bytesPerSecond: undefined });
  });

  it('defaults bytesBurst to one second of budget, but never below maxMessageSize', () => {
    expect(resolveOptions({ maxMessageSize: 1024, rateLimit: { rate: 5, bytesPerSecond: 10_000 } }).rateLimit).toMatchObject({ bytesPerSecond: 10_000, bytesBurst: 10_000 });
    expect(resolveOptions({ rateLimit: { rate: 5, bytesPerSecond: 1024 } }).rateLimit).toMatchObject({ bytesBurst: 4 * 1024 * 1024 });
    expect(resolveOptions({ maxMessageSize: 1024, rateLimit: { rate: 5, bytesPerSecond: 512, bytesBurst: 2048 } }).rateLimit).toMatchObject({ bytesBurst: 2048 });
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

describe('allowed origins', () => {
  it('accepts "*", a list or a function, and refuses any other string', () => {
    expect(resolveOptions({ allowedOrigins: '*' }).upgrade.default.allowedOrigins).toBe('*');
    expect(resolveOptions({ spaces: { a: { path: '/a', allowedOrigins: '*' } } }).upgrade.a.allowedOrigins).toBe('*');
    expect(() => resolveOptions({ allowedOrigins: 'https://a.example' as never })).toThrow('"allowedOrigins"');
  });
});

describe('space inheritance', () => {
  it('inherits everything by default, and keeps false or a list as given', () => {
    const resolved = resolveOptions({ spaces: { a: '/a', b: { path: '/b', inherit: false }, c: { path: '/c', inherit: ['demo.', 'ping'] } } });
    expect(resolved.spaceInherit).toEqual({ default: true, a: true, b: false, c: ['demo.', 'ping'] });
  });
});

describe('space envelope and raw', () => {
  it('keeps each space envelope and the raw spaces; the others use the default envelope', () => {
    const resolved = resolveOptions({
      spaces: { w: { path: '/w', envelope: 'wsrv' }, m: { path: '/m', envelope: { name: 'op', time: false } }, r: { path: '/r', raw: true }, plain: '/p' },
    });
    expect(resolved.spaceEnvelope).toEqual({ w: 'wsrv', m: { name: 'op', time: false } });
    expect(resolved.rawSpaces).toEqual(['r']);
  });

  it.each([
    ['an unknown preset', { envelope: 'socketio' }, 'must be "wsrv" or {'],
    ['an unknown field', { envelope: { name: 'cmd', status: 'x' } }, '"status" is not an envelope field'],
    ['two fields with one name', { envelope: { name: 'x', id: 'x' } }, 'two fields are named "x"'],
    ['a field renamed onto a default name', { envelope: { name: 'data' } }, 'two fields are named "data"'],
    ['a field name every object inherits', { envelope: { data: 'constructor' } }, 'data must be a field name'],
    ['an empty field name', { envelope: { id: '' } }, 'id must be a field name'],
    ['a successText that is not a string', { envelope: { successText: 0 } }, 'successText must be a string'],
    ['a raw flag that is not a boolean', { raw: 'yes' }, 'spaces.a.raw'],
    ['a raw space with an envelope', { raw: true, envelope: 'wsrv' }, 'a raw space has no envelope'],
  ])('refuses %s', (_label, settings, message) => {
    expect(() => resolveOptions({ spaces: { a: { path: '/a', ...(settings as object) } } })).toThrow(WsConfigError);
    expect(() => resolveOptions({ spaces: { a: { path: '/a', ...(settings as object) } } })).toThrow(message);
  });
});
