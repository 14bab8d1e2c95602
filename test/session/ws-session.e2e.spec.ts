import { WsModule } from 'nestjs-ws-spaces';
import { PingHandlers } from '../fixtures/ping.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('WsSession', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot({ nodeId: 'n1', spaces: { custom: '/custom' } })], providers: [PingHandlers] });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('has an id that is unique and names its node', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect(running.wsUrl())));
    const ids = await Promise.all(clients.map(async (c) => (await c.request('facts')).data.id as string));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^n1\.[0-9a-z]+$/);
  });

  it('keeps the request facts: path, query, allowed headers only, remote address', async () => {
    const client = await connect(running.wsUrl('/custom') + '?room=lobby&lang=en', {
      headers: { 'user-agent': 'spec-agent', cookie: 'secret=1', authorization: 'Bearer t' },
    });
    const { request } = (await client.request('facts')).data;
    expect(request.path).toBe('/custom');
    expect(request.query).toEqual({ room: 'lobby', lang: 'en' });
    expect(request.headers['user-agent']).toBe('spec-agent');
    expect(request.headers.cookie).toBeUndefined();
    expect(request.headers.authorization).toBeUndefined();
    expect(request.remoteAddress).toMatch(/127\.0\.0\.1/);
  });

  it('keeps the Host the client named', async () => {
    const plain = await connect(running.wsUrl());
    expect((await plain.request('facts')).data.request.host).toBe(`127.0.0.1:${running.port}`);
    const named = await connect(running.wsUrl(), { headers: { host: 'chat.example.com:8443' } });
    expect((await named.request('facts')).data.request.host).toBe('chat.example.com:8443');
  });

  it('keeps locals across the messages of one session, and apart from other sessions', async () => {
    const a = await connect(running.wsUrl());
    const b = await connect(running.wsUrl());
    await a.request('remember', { value: 'mine' });
    expect((await a.request('recall')).data).toBe('mine');
    expect((await b.request('recall')).data).toBeNull();
  });
});

describe('WsSession across nodes and with other header settings', () => {
  it('gets a different node prefix on each node when no nodeId is set', async () => {
    const nodes = [
      await startApp({ imports: [WsModule.forRoot()], providers: [PingHandlers] }),
      await startApp({ imports: [WsModule.forRoot()], providers: [PingHandlers] }),
    ];
    try {
      const ids = await Promise.all(nodes.map(async (n) => (await (await connect(n.wsUrl())).request('facts')).data.id as string));
      const prefixes = ids.map((id) => id.slice(0, id.lastIndexOf('.')));
      expect(prefixes[0]).not.toBe(prefixes[1]);
      expect(ids[0]).not.toBe(ids[1]);
      await closeAllClients();
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('keeps exactly the headers named by keepHeaders, matched without regard to case', async () => {
    const running = await startApp({ imports: [WsModule.forRoot({ keepHeaders: ['Cookie'] })], providers: [PingHandlers] });
    try {
      const client = await connect(running.wsUrl(), { headers: { cookie: 'kept=1', 'user-agent': 'not-kept' } });
      expect((await client.request('facts')).data.request.headers).toEqual({ cookie: 'kept=1' });
      await closeAllClients();
    } finally {
      await running.close();
    }
  });
});
