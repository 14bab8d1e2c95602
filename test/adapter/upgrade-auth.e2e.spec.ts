import { WsModule } from 'nestjs-ws-spaces';
import { ClientHeaderGuard, IdentityRecorder, TokenAuthenticator, TokenStore } from '../fixtures/auth.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('Authentication and origin checks at upgrade', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({
          allowedOrigins: ['https://app.example'],
          spaces: {
            secure: { path: '/secure', authenticator: TokenAuthenticator },
            guarded: { path: '/guarded', guards: [ClientHeaderGuard] },
            fn: { path: '/fn', authenticator: (req) => (req.headers['x-user'] ? { user: String(req.headers['x-user']) } : false) },
            anyorigin: { path: '/anyorigin', allowedOrigins: (origin) => origin?.endsWith('.test') ?? false },
          },
        }),
      ],
      providers: [TokenStore, TokenAuthenticator, IdentityRecorder],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('binds the identity an authenticator returns before the open hook runs, with its locals', async () => {
    const client = await connect(running.wsUrl('/secure?token=t-alice'));
    expect((await client.request('me')).data).toEqual({ user: 'alice', token: 't-alice', space: 'secure' });
    expect(running.app.get(IdentityRecorder).usersAtOpen).toContain('alice');
  });

  it('answers 401 over HTTP when the authenticator returns nothing', async () => {
    await expect(connect(running.wsUrl('/secure?token=wrong'))).rejects.toMatchObject({ status: 401 });
    await expect(connect(running.wsUrl('/secure'))).rejects.toMatchObject({ status: 401 });
  });

  it('answers 403 when the authenticator throws a ForbiddenException', async () => {
    await expect(connect(running.wsUrl('/secure?token=banned'))).rejects.toMatchObject({ status: 403 });
  });

  it('answers a WsUpgradeError thrown by the authenticator with its status', async () => {
    await expect(connect(running.wsUrl('/secure?token=expired'))).rejects.toMatchObject({ status: 401 });
  });

  it('takes an authenticator given as a function', async () => {
    const client = await connect(running.wsUrl('/fn'), { headers: { 'x-user': 'carol' } });
    expect((await client.request('me')).data.user).toBe('carol');
    await expect(connect(running.wsUrl('/fn'))).rejects.toMatchObject({ status: 401 });
  });

  it('runs Nest guards on the upgrade request, as HTTP, before the socket exists', async () => {
    await expect(connect(running.wsUrl('/guarded'))).rejects.toMatchObject({ status: 403 });
    expect(ClientHeaderGuard.lastType).toBe('http');
    const client = await connect(running.wsUrl('/guarded'), { headers: { 'x-client': 'yes' } });
    expect((await client.request('me')).data.user).toBeNull();
  });

  it('refuses a foreign origin with 403, and allows a listed one or none', async () => {
    await expect(connect(running.wsUrl('/ws'), { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    await connect(running.wsUrl('/ws'), { origin: 'https://app.example' });
    await connect(running.wsUrl('/ws'));
  });

  it('lets a space decide its own origins with a function', async () => {
    await connect(running.wsUrl('/anyorigin'), { origin: 'https://a.test' });
    await expect(connect(running.wsUrl('/anyorigin'), { origin: 'https://app.example' })).rejects.toMatchObject({ status: 403 });
  });
});
