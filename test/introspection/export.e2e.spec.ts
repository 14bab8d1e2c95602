import { Parser } from '@asyncapi/parser';
import { WsIntrospection, WsModule, type WsProtocolExport } from 'nestjs-ws-spaces';
import { OrderHandlers, ShopHandlers } from '../fixtures/introspection.fixture.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('The protocol export', () => {
  let running: RunningApp;
  let exported: WsProtocolExport;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ path: '/ws', spaces: { shop: '/socket/shop' } })],
      providers: [OrderHandlers, ShopHandlers],
    });
    const res = await fetch(running.httpUrl('/ws/export'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    exported = (await res.json()) as WsProtocolExport;
  });
  afterAll(() => running.close());

  it('names the package, its version and when it was generated', async () => {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
    expect(exported.schema).toEqual({ name: 'nestjs-ws-spaces', version: pkg.version, generated: expect.any(String) });
    expect(Date.now() - Date.parse(exported.schema.generated)).toBeLessThan(60_000);
  });

  it('counts what each space declares itself', () => {
    expect(exported.spaces).toEqual({
      default: { path: '/ws', messages: 2, commands: 1, filters: 1, handlers: 1, hooks: 1 },
      shop: { path: '/socket/shop', messages: 1, commands: 0, filters: 0, handlers: 0, hooks: 2 },
    });
  });

  it('derives the arguments schema of a message from its class-validator class', () => {
    const place = exported.messages.find((m) => m.name === 'order.place')!;
    expect(place).toMatchObject({ space: 'default', desc: 'Places an order', argsClass: 'OrderArgs', reply: 'order.placed' });
    expect(place.args).toEqual({
      type: 'object',
      properties: {
        item: { type: 'string', minLength: 3, maxLength: 12 },
        quantity: { type: 'integer', minimum: 1, maximum: 99 },
        shipping: { type: 'string', enum: ['standard', 'express'] },
        contact: { type: 'string', format: 'email' },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
      required: ['item', 'quantity'],
    });
  });

  it('builds a request example that satisfies the schema, and a response example from the declared reply command', () => {
    const place = exported.messages.find((m) => m.name === 'order.place')!;
    expect(place.request).toEqual({
      name: 'order.place',
      data: { item: 'item', quantity: 1, shipping: 'standard', contact: 'user@example.com', country: '<^[A-Z]{2}$>' },
      id: 'r1',
    });
    expect(place.response).toMatchObject({ code: 0, name: 'order.placed', data: { orderId: 'orderId', total: 0 }, id: 'r1' });
  });

  it('exports a message without an argument class as an open object with an empty example', () => {
    const ping = exported.messages.find((m) => m.name === 'ping')!;
    expect(ping).toMatchObject({ space: 'default', desc: '', args: { type: 'object' }, reply: 'ping' });
    expect(ping.argsClass).toBeUndefined();
    expect(ping.request).toEqual({ name: 'ping', data: {}, id: 'r1' });
    expect(ping.response).toMatchObject({ code: 0, name: 'ping', data: {} });
  });

  it('exports commands with their schema, priority and the envelope the server sends', () => {
    expect(exported.commands).toEqual([
      {
        name: 'order.placed',
        space: 'default',
        desc: 'An order was accepted',
        argsClass: 'OrderPlaced',
        args: {
          type: 'object',
          properties: { orderId: { type: 'string' }, total: { type: 'integer', minimum: 0 } },
          required: ['orderId', 'total'],
        },
        response: { code: 0, name: 'order.placed', data: { orderId: 'orderId', total: 0 }, text: '', time: expect.any(Number) },
        priority: 'high',
      },
    ]);
  });

  it('is the same document through the injectable WsIntrospection service', () => {
    const local = running.app.get(WsIntrospection).export();
    expect({ ...local, schema: { ...local.schema, generated: '' } }).toEqual({
      ...exported,
      schema: { ...exported.schema, generated: '' },
    });
  });

  it('serves a valid AsyncAPI 3.0 document with one channel per space', async () => {
    const res = await fetch(running.httpUrl('/ws/asyncapi.json'));
    const doc = (await res.json()) as any;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.default.address).toBe('/ws');
    expect(doc.channels.shop.address).toBe('/socket/shop');
    // The shop channel accepts its own message and the default space's ones, which resolve there as fallbacks,
    // and carries the reply to each.
    expect(Object.keys(doc.channels.shop.messages).sort()).toEqual([
      'in.order.place', 'in.ping', 'in.shop.browse', 'out.order.placed', 'reply.order.place', 'reply.ping', 'reply.shop.browse',
    ]);
    expect(doc.operations['default.receive.order.place'].action).toBe('receive');
    expect(doc.operations['default.send.order.placed'].action).toBe('send');

    const diagnostics = await new Parser().validate(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
  });
});

describe('The introspection routes', () => {
  it('move with introspection.path and disappear with introspection: false', async () => {
    const moved = await startApp({ imports: [WsModule.forRoot({ introspection: { path: '/_ws/' } })], providers: [OrderHandlers] });
    try {
      expect((await fetch(moved.httpUrl('/_ws/export'))).status).toBe(200);
      expect((await fetch(moved.httpUrl('/ws/export'))).status).toBe(404);
    } finally {
      await moved.close();
    }
    const off = await startApp({ imports: [WsModule.forRoot({ introspection: false })], providers: [OrderHandlers] });
    try {
      for (const path of ['/ws/export', '/ws/asyncapi.json', '/ws/metrics']) expect((await fetch(off.httpUrl(path))).status).toBe(404);
      expect(off.app.get(WsIntrospection).export().messages).toHaveLength(2);
    } finally {
      await off.close();
    }
  });
});

describe('WsBroker export() and metrics()', () => {
  it('return what WsIntrospection and the HTTP routes return', async () => {
    const { startApp } = await import('../helpers/start-app.js');
    const { WsBroker, WsIntrospection, WsModule } = await import('nestjs-ws-spaces');
    const running = await startApp({ imports: [WsModule.forRoot()] });
    try {
      const broker = running.app.get(WsBroker);
      const introspection = running.app.get(WsIntrospection);
      expect(broker.export().spaces).toEqual(introspection.export().spaces);
      expect(broker.metrics().total).toEqual(introspection.metrics().total);
    } finally {
      await running.close();
    }
  });
});
