import { WsBroker, WsCommandDataError, WsModule } from 'nestjs-ws-spaces';
import { MembershipHandlers } from '../fixtures/broker.fixture.js';
import { ValidatedHandlers } from '../fixtures/validation.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('Argument classes', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot({ maxDepth: 8 })], providers: [ValidatedHandlers, MembershipHandlers] });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('hands the handler a validated instance of the class, nested classes included', async () => {
    const client = await connect(running.wsUrl());
    const reply = await client.request('move', { who: 'ann', to: { x: 1, y: 2 } });
    expect(reply).toMatchObject({ code: 0, data: { isInstance: true, pointIsInstance: true, args: { who: 'ann', to: { x: 1, y: 2 } } } });
  });

  it('answers invalid arguments with 400, the field errors in data and the id echoed', async () => {
    const client = await connect(running.wsUrl());
    const reply = await client.request('move', { who: 'a very long name', to: { x: 'one', y: 2 } }, 'bad-1');
    expect(reply).toMatchObject({ code: 400, name: 'move', id: 'bad-1', text: 'invalid arguments' });
    expect(reply.data).toEqual(
      expect.arrayContaining([
        { field: 'who', constraint: 'maxLength', message: expect.stringContaining('who') },
        { field: 'to.x', constraint: 'isInt', message: expect.stringContaining('x') },
      ]),
    );
  });

  it('strips properties the class does not declare (whitelist, on by default)', async () => {
    const client = await connect(running.wsUrl());
    const reply = await client.request('move', { who: 'ann', to: { x: 1, y: 2, z: 3 }, admin: true });
    expect(reply.data.args).toEqual({ who: 'ann', to: { x: 1, y: 2 } });
  });

  it('refuses missing arguments with 400 by default, before the handler reads a field', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('move', undefined, 'm1')).toMatchObject({ code: 400, name: 'move', text: 'missing arguments', id: 'm1' });
    client.send({ name: 'move', data: null, id: 'm2' });
    expect(await client.nextWhere((e) => e.id === 'm2')).toMatchObject({ code: 400, text: 'missing arguments' });
    client.send('{"name":"move","id":"m3"}'); // nothing to fold
    expect(await client.nextWhere((e) => e.id === 'm3')).toMatchObject({ code: 400, text: 'missing arguments' });
    expect(await client.request('move.strict')).toMatchObject({ code: 400, text: 'missing arguments' });
  });

  it('hands ctx.args === null to a handler that opted in with nullable: true', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('move.optional')).toMatchObject({ code: 0, data: { args: null } });
    expect(await client.request('move.optional', { who: 'ann', to: { x: 1, y: 2 } })).toMatchObject({ code: 0, data: { args: { who: 'ann' } } });
  });

  it('rejects arguments that are not an object with 400', async () => {
    const client = await connect(running.wsUrl());
    for (const data of ['text', 7, [1]]) {
      expect(await client.request('move', data)).toMatchObject({ code: 400, text: 'arguments must be an object' });
    }
  });

  it('answers JSON nested deeper than maxDepth with 400 and keeps the connection', async () => {
    const client = await connect(running.wsUrl());
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = { d: deep };
    client.send({ name: 'plain', data: deep, id: 'deep' });
    expect(await client.next()).toMatchObject({ code: 400, text: expect.stringContaining('deeper than 8') });
    expect((await client.request('plain', { ok: 1 })).code).toBe(0);
  });

  it('never lets __proto__, constructor or prototype keys reach an object', async () => {
    const client = await connect(running.wsUrl());
    client.send('{"name":"plain","data":{"a":1,"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"nested":{"__proto__":{"p":1}}},"id":"p"}');
    const reply = await client.next();
    expect(reply.data).toEqual({ keys: ['a', 'nested'], proto: true });
    client.send('{"name":"move","data":{"who":"ann","to":{"x":1,"y":2,"__proto__":{"isAdmin":true}}},"id":"q"}');
    expect((await client.next()).data.args.to).toEqual({ x: 1, y: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses to send a declared command whose data does not fit its class, before writing anything', async () => {
    const client = await connect(running.wsUrl());
    const sid = (await client.request('whoami')).data;
    const broker = running.app.get(WsBroker);
    const sending = broker.push(sid, 'score.set', { score: 101 });
    await expect(sending).rejects.toBeInstanceOf(WsCommandDataError);
    await expect(broker.broadcast('score.set', { score: 'x' })).rejects.toThrow(/score/);
    expect(await client.fence()).toEqual([]);
    expect(await broker.push(sid, 'score.set', { score: 50 })).toMatchObject({ success: 1 });
  });
});

describe('Argument classes with forbidNonWhitelisted and validateOutbound off', () => {
  it('refuses undeclared properties, and sends any data', async () => {
    const running = await startApp({
      imports: [WsModule.forRoot({ validation: { forbidNonWhitelisted: true }, validateOutbound: false })],
      providers: [ValidatedHandlers, MembershipHandlers],
    });
    try {
      const client = await connect(running.wsUrl());
      const reply = await client.request('move', { who: 'ann', to: { x: 1, y: 2 }, admin: true });
      expect(reply).toMatchObject({ code: 400, data: [expect.objectContaining({ field: 'admin', constraint: 'whitelistValidation' })] });
      const sid = (await client.request('whoami')).data;
      expect(await running.app.get(WsBroker).push(sid, 'score.set', { score: 'whatever' })).toMatchObject({ success: 1 });
      await closeAllClients();
    } finally {
      await running.close();
    }
  });
});
