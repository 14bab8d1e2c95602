import type { WsProtocolExport } from 'nestjs-ws-spaces';
import { AppModule } from '../../sample/app.module.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { RawClient } from '../helpers/raw-client.js';

describe('The sample app', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ imports: [AppModule] });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('echoes demo.echo as demo.echoed', async () => {
    const client = await connect(running.wsUrl('/ws'));
    expect(await client.request('demo.echo', { text: 'hi' }, 'e1')).toMatchObject({
      code: 0,
      name: 'demo.echoed',
      data: { text: 'hi' },
      id: 'e1',
    });
  });

  it('groupcasts chat.said to the members of a room, the sender included, and to no one else', async () => {
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => connect(running.wsUrl('/ws'))));
    expect((await alice.request('user.login', { uid: 'alice' })).name).toBe('user.bound');
    expect((await alice.request('chat.join', { room: 'lobby' })).name).toBe('chat.joined');
    expect((await bob.request('chat.join', { room: 'lobby' })).name).toBe('chat.joined');

    expect((await alice.request('chat.say', { room: 'lobby', text: 'hello' })).data).toEqual({ delivered: 2 });
    const said = { name: 'chat.said', data: { room: 'lobby', text: 'hello', from: 'alice' } };
    expect(await alice.nextWhere((e) => e.name === 'chat.said')).toMatchObject(said);
    expect(await bob.nextWhere((e) => e.name === 'chat.said')).toMatchObject(said);
    expect(await carol.fence()).toEqual([]);

    expect((await bob.request('chat.leave', { room: 'lobby' })).name).toBe('chat.left');
    expect((await bob.request('chat.say', { room: 'lobby', text: 'x' })).code).toBe(403);
  });

  it('answers POST /notice with the Delivery of a broadcast in the default space only', async () => {
    const [a, b] = await Promise.all([connect(running.wsUrl('/ws')), connect(running.wsUrl('/ws'))]);
    const custom = await connect(running.wsUrl('/socket/custom?token=letmein'));
    const res = await fetch(running.httpUrl('/notice'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'maintenance at noon' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hit: 2, success: 2, failed: 0, pending: 0, nodes: 0 });
    for (const client of [a, b]) {
      expect(await client.next()).toMatchObject({ name: 'demo.notice', data: { text: 'maintenance at noon' } });
    }
    expect(await custom.fence()).toEqual([]);
  });

  it('answers POST /notice/user by pushing to every session of that user', async () => {
    const [one, two, other] = await Promise.all([1, 2, 3].map(() => connect(running.wsUrl('/ws'))));
    await one.request('user.login', { uid: 'dora' });
    await two.request('user.login', { uid: 'dora' });
    const res = await fetch(running.httpUrl('/notice/user'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'dora', text: 'for you' }),
    });
    expect(await res.json()).toMatchObject({ hit: 2, success: 2 });
    expect((await one.next()).data).toEqual({ text: 'for you' });
    expect((await two.next()).data).toEqual({ text: 'for you' });
    expect(await other.fence()).toEqual([]);
  });

  it('protects the custom space with a token: 401 without one', async () => {
    await expect(connect(running.wsUrl('/socket/custom'))).rejects.toMatchObject({ status: 401 });
    await expect(connect(running.wsUrl('/socket/custom?token=nope'))).rejects.toMatchObject({ status: 401 });
  });

  it('serves the custom space at /socket/custom with its own message and the default space as fallback', async () => {
    const client = await connect(running.wsUrl('/socket/custom?token=s3cret-alice'));
    expect(await client.request('custom.hello', {})).toMatchObject({
      name: 'custom.greeting',
      data: { greeting: 'hello alice, from space custom' },
    });
    expect((await client.request('demo.echo', { text: 'fallback' })).data).toEqual({ text: 'fallback' });
    const fromDefault = await connect(running.wsUrl('/ws'));
    expect((await fromDefault.request('custom.hello', {})).code).toBe(404);
  });

  it('keeps the identity the token established in the custom space: user.login cannot make guest alice', async () => {
    const guest = await connect(running.wsUrl('/socket/custom?token=letmein'));
    expect(await guest.request('user.login', { uid: 'alice' })).toMatchObject({ code: 404, name: 'user.login' });
    expect((await guest.request('custom.hello', {})).data).toEqual({ greeting: 'hello guest, from space custom' });
  });

  it('validates arguments with its classes: 400 with the field errors', async () => {
    const client = await connect(running.wsUrl('/ws'));
    const reply = await client.request('demo.echo', { text: 42 });
    expect(reply).toMatchObject({ code: 400, name: 'demo.echo' });
    expect(reply.data).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'text', constraint: 'isString' })]));
    expect(await client.request('chat.join', {})).toMatchObject({ code: 400 });
    expect(await client.request('demo.echo')).toMatchObject({ code: 400, text: 'missing arguments' });
  });

  it('exports, for each message, the reply name and data shape a client really gets for the request example', async () => {
    const exported = (await (await fetch(running.httpUrl('/ws/export'))).json()) as WsProtocolExport;
    const client = await connect(running.wsUrl('/ws'));
    // In an order where each example succeeds: chat.say needs the room its example names to be joined.
    const order = ['chat.join', 'chat.say', 'chat.leave', 'demo.echo', 'user.login'];
    expect(exported.messages.filter((m) => m.space === 'default').map((m) => m.name).sort()).toEqual([...order].sort());
    for (const name of order) {
      const entry = exported.messages.find((m) => m.name === name)!;
      const reply = await client.request(name, entry.request!.data);
      expect({ name, code: reply.code, reply: reply.name }).toEqual({ name, code: 0, reply: entry.reply });
      expect(Object.keys(reply.data).sort()).toEqual(Object.keys(entry.response.data as object).sort());
    }
    expect(exported.messages.find((m) => m.name === 'chat.join')).toMatchObject({ reply: 'chat.joined', replyClass: 'RoomArgs' });
  });

  it('echoes raw frames at /socket/raw as they came, text as text and bytes as bytes (mist echo)', async () => {
    const client = await RawClient.connect(running.wsUrl('/socket/raw'));
    try {
      client.send('Hello!');
      expect(await client.next()).toEqual({ binary: false, data: 'Hello!' });
      client.send(Buffer.from([1, 2, 3]));
      expect(await client.next()).toEqual({ binary: true, data: Buffer.from([1, 2, 3]) });
    } finally {
      await client.terminate();
    }
  });

  it('denies private names through its filter', async () => {
    const client = await connect(running.wsUrl('/ws'));
    expect((await client.request('_internal', {})).code).toBe(403);
  });

  it('serves a home page that connects to /ws', async () => {
    const res = await fetch(running.httpUrl('/'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/ws');
    expect(html).toContain('chat.say');
  });
});
