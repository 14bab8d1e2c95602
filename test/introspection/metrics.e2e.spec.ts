import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { WsContext, WsMessage, WsModule, WsSpace, type WsMetricsReport } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type TestClient } from '../helpers/ws-client.js';
import { eventually, startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
class CountedHandlers {
  @WsMessage('login')
  login(ctx: WsContext<{ uid: string }>) {
    ctx.bindUser(ctx.args.uid);
    return { uid: ctx.args.uid };
  }

  @WsMessage('say')
  say(ctx: WsContext<{ text: string }>) {
    return { text: ctx.args.text };
  }
}

@Injectable()
@WsSpace('shop')
class ShopHandlers {
  @WsMessage('shop.hello')
  hello() {
    return { hello: 'shop' };
  }
}

/** Sends raw frames and remembers their sizes, so the test knows the bytes the server must have counted. */
class Traffic {
  bytesIn = 0;
  messagesIn = 0;
  send(client: TestClient, frame: string) {
    client.send(frame);
    this.bytesIn += Buffer.byteLength(frame);
    this.messagesIn++;
  }
}

const received = (clients: TestClient[]) => ({
  messagesOut: clients.reduce((n, c) => n + c.frames.length, 0),
  bytesOut: clients.reduce((n, c) => n + c.frames.reduce((b, f) => b + f.length, 0), 0),
});

/** Reads `name{space="x"} value` lines back into `{ name: { space: value } }`, and the TYPE of each family. */
function parsePrometheus(text: string) {
  const values: Record<string, Record<string, number>> = {};
  const types: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types[type[1]] = type[2];
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{space="([^"]*)"\} (\S+)$/.exec(line);
    if (sample) (values[sample[1]] ??= {})[sample[2]] = Number(sample[3]);
  }
  return { values, types };
}

describe('The metrics', () => {
  let running: RunningApp;
  const appRegistry = new Registry();

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { shop: '/socket/shop' }, prometheus: { registry: appRegistry } })],
      providers: [CountedHandlers, ShopHandlers],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('follow real traffic exactly: connections, users, messages and bytes, per space and in total', async () => {
    const [alice, bob] = await Promise.all([connect(running.wsUrl('/ws')), connect(running.wsUrl('/ws'))]);
    const shopper = await connect(running.wsUrl('/socket/shop'));
    const def = new Traffic();
    const shop = new Traffic();

    def.send(alice, JSON.stringify({ name: 'login', data: { uid: 'alice' }, id: 1 }));
    await alice.next();
    def.send(bob, JSON.stringify({ name: 'say', data: { text: 'héllo wörld' }, id: 2 }));
    await bob.next();
    def.send(bob, '{not json');
    expect((await bob.next()).code).toBe(400);
    def.send(alice, ''); // a heartbeat is a frame too
    shop.send(shopper, JSON.stringify({ name: 'shop.hello', id: 3 }));
    await shopper.next();
    shop.send(shopper, JSON.stringify({ name: 'nope', id: 4 }));
    expect((await shopper.next()).code).toBe(404);

    const expected = (t: Traffic, clients: TestClient[], connections: number, users: number, parse: number) => {
      const out = received(clients);
      return {
        connections,
        users,
        messagesIn: t.messagesIn,
        bytesIn: t.bytesIn,
        ...out,
        parseFailures: parse,
        receiveFailures: parse,
        sendFailures: 0,
        handlerErrors: 0,
        averageSizeIn: Math.round(t.bytesIn / t.messagesIn),
        averageSizeOut: Math.round(out.bytesOut / out.messagesOut),
        queued: 0,
        dropped: 0,
        slowClosed: 0,
        writeTimeouts: 0,
        readTimeouts: 0,
        rateLimited: 0,
        refused: 0,
        clusterPublished: 0,
        clusterFailures: 0,
        clusterReceived: 0,
        clusterRejected: 0,
        seqGaps: 0,
        resumed: 0,
        resumeFailures: 0,
      };
    };
    // The heartbeat has no reply, so wait until the server has counted it rather than sleeping.
    const get = async () => (await (await fetch(running.httpUrl('/ws/metrics'))).json()) as WsMetricsReport;
    let report = await get();
    for (let i = 0; i < 50 && report.spaces.default.messagesIn < def.messagesIn; i++) report = await get();

    expect(report.node).toEqual(expect.any(String));
    expect(report.spaces.default).toEqual(expected(def, [alice, bob], 2, 1, 1));
    expect(report.spaces.shop).toEqual(expected(shop, [shopper], 1, 0, 0));
    const all = new Traffic();
    all.messagesIn = def.messagesIn + shop.messagesIn;
    all.bytesIn = def.bytesIn + shop.bytesIn;
    expect(report.total).toEqual(expected(all, [alice, bob, shopper], 3, 1, 1));

    await bob.close();
    let after = await get();
    for (let i = 0; i < 50 && after.spaces.default.connections !== 1; i++) after = await get();
    expect(after.spaces.default.connections).toBe(1);
  });

  it('serve the same numbers as Prometheus text, one series per space, counters ending in _total', async () => {
    const client = await connect(running.wsUrl('/ws'));
    await client.request('say', { text: 'x' });
    const res = await fetch(running.httpUrl('/ws/metrics?format=prometheus'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { values, types } = parsePrometheus(await res.text());
    const json = (await (await fetch(running.httpUrl('/ws/metrics'))).json()) as WsMetricsReport;

    const names: Array<[string, string, string]> = [
      ['ws_messages_received_total', 'messagesIn', 'counter'],
      ['ws_messages_sent_total', 'messagesOut', 'counter'],
      ['ws_received_bytes_total', 'bytesIn', 'counter'],
      ['ws_sent_bytes_total', 'bytesOut', 'counter'],
      ['ws_receive_failures_total', 'receiveFailures', 'counter'],
      ['ws_send_failures_total', 'sendFailures', 'counter'],
      ['ws_parse_failures_total', 'parseFailures', 'counter'],
      ['ws_handler_errors_total', 'handlerErrors', 'counter'],
      ['ws_connections', 'connections', 'gauge'],
      ['ws_users', 'users', 'gauge'],
    ];
    for (const [name, field, type] of names) {
      expect(types[name], name).toBe(type);
      expect(values[name], name).toEqual({ default: json.spaces.default[field], shop: json.spaces.shop[field] });
    }
    expect(values.ws_connections.default).toBe(1);
    expect(values.ws_messages_received_total.default).toBeGreaterThan(0);
  });

  it("register into the app's own prom-client registry, and leave it when the app closes", async () => {
    expect((await appRegistry.getMetricsAsJSON()).map((m) => m.name)).toContain('ws_messages_received_total');
    const other = new Registry();
    const second = await startApp({ imports: [WsModule.forRoot({ prometheus: { registry: other, prefix: 'chat_' } })] });
    const client = await connect(second.wsUrl('/ws'));
    client.send('');
    const scraped = async () => parsePrometheus(await other.metrics()).values.chat_messages_received_total?.default;
    expect(await eventually(async () => (await scraped()) === 1)).toBe(true);
    expect(parsePrometheus(await other.metrics()).values.chat_messages_received_total).toEqual({ default: 1 });
    await second.close();
    expect(await other.metrics()).toBe('\n');
  });
});
