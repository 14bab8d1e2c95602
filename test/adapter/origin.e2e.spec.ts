import { WsModule } from 'nestjs-ws-spaces';
import { PingHandlers } from '../fixtures/ping.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('Cross-site WebSocket hijacking protection: same-origin by default', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({
          spaces: {
            open: { path: '/open', allowedOrigins: '*' },
            partner: { path: '/partner', allowedOrigins: ['https://partner.example'] },
          },
        }),
      ],
      providers: [PingHandlers],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('refuses a browser upgrade from another site with 403, before any socket exists', async () => {
    await expect(connect(running.wsUrl('/ws'), { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  it('refuses the same host on another port, and the opaque "null" origin', async () => {
    await expect(connect(running.wsUrl('/ws'), { origin: `http://127.0.0.1:${running.port + 1}` })).rejects.toMatchObject({ status: 403 });
    await expect(connect(running.wsUrl('/ws'), { origin: 'null' })).rejects.toMatchObject({ status: 403 });
  });

  it('accepts a page of its own origin (case and default port aside)', async () => {
    const client = await connect(running.wsUrl('/ws'), { origin: `http://127.0.0.1:${running.port}` });
    expect(await client.request('ping')).toMatchObject({ code: 0 });
    await connect(running.wsUrl('/ws'), { origin: `HTTP://127.0.0.1:${running.port}` });
  });

  it('leaves clients that send no Origin alone', async () => {
    const client = await connect(running.wsUrl('/ws'));
    expect(await client.request('ping')).toMatchObject({ code: 0 });
  });

  it('opens to every origin with allowedOrigins: "*"', async () => {
    const client = await connect(running.wsUrl('/open'), { origin: 'https://evil.example' });
    expect(await client.request('ping')).toMatchObject({ code: 0, data: { space: 'open' } });
  });

  it('accepts the listed origins besides its own, and refuses the rest', async () => {
    await connect(running.wsUrl('/partner'), { origin: 'https://partner.example' });
    await connect(running.wsUrl('/partner'), { origin: `http://127.0.0.1:${running.port}` });
    await expect(connect(running.wsUrl('/partner'), { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
  });
});
