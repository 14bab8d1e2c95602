import { WsBroker, WsIdentityError, WsModule } from 'nestjs-ws-spaces';
import { DefaultDeniedHandler, DefaultSpaceMessages, SealedSpaceMessages, userFromQuery } from '../fixtures/identity.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

describe('An identity set at the upgrade stays put', () => {
  let running: RunningApp;
  let broker: WsBroker;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({
          spaces: {
            authed: { path: '/authed', authenticator: userFromQuery },
            sealed: { path: '/sealed', authenticator: userFromQuery, inherit: false },
          },
        }),
      ],
      providers: [DefaultSpaceMessages, SealedSpaceMessages],
    });
    broker = running.app.get(WsBroker);
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('refuses a message that would turn the authenticated guest into alice, with 403 and a clear text', async () => {
    const guest = await connect(running.wsUrl('/authed?as=guest'));
    const refused = await guest.request('user.login', { uid: 'alice' });
    expect(refused).toMatchObject({ code: 403, name: 'user.login' });
    expect(refused.text).toContain('set by the authenticator');
    expect((await guest.request('who')).data).toEqual({ user: 'guest', space: 'authed' });
    expect(broker.sessionsByUser('alice', 'authed')).toHaveLength(0);
    expect(broker.sessionsByUser('guest', 'authed')).toHaveLength(1);
  });

  it('lets a handler replace it deliberately with { replace: true }', async () => {
    const guest = await connect(running.wsUrl('/authed?as=guest'));
    expect((await guest.request('user.switch', { uid: 'alice' })).data).toEqual({ user: 'alice' });
    expect((await guest.request('who')).data.user).toBe('alice');
    expect(broker.sessionsByUser('alice', 'authed')).toHaveLength(1);
  });

  it('throws a WsIdentityError from the broker unless replace is passed; binding the same user again is fine', async () => {
    await connect(running.wsUrl('/authed?as=bob'));
    const [session] = broker.sessionsByUser('bob', 'authed');
    expect(broker.bindUser(session.id, 'bob')).toBe(true);
    expect(() => broker.bindUser(session.id, 'mallory')).toThrow(WsIdentityError);
    expect(() => broker.bindUser(session.id, undefined)).toThrow('cannot be replaced');
    expect(session.user).toBe('bob');
    expect(broker.bindUser(session.id, 'carol', { replace: true })).toBe(true);
    expect(session.user).toBe('carol');
  });

  it('leaves sessions without an authenticated user free to log in and out', async () => {
    const anonymous = await connect(running.wsUrl('/ws'));
    expect((await anonymous.request('user.login', { uid: 'alice' })).data).toEqual({ user: 'alice' });
    expect((await anonymous.request('user.login', { uid: 'dave' })).data).toEqual({ user: 'dave' });
  });
});

describe('A space that declines the default space\'s handlers', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        WsModule.forRoot({
          spaces: {
            sealed: { path: '/sealed', inherit: false },
            partial: { path: '/partial', inherit: ['demo.', 'ping'] },
            open: '/open',
          },
        }),
      ],
      providers: [DefaultSpaceMessages, DefaultDeniedHandler, SealedSpaceMessages],
    });
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  it('answers 404 in an inherit: false space for a default-space message, and serves its own', async () => {
    const sealed = await connect(running.wsUrl('/sealed'));
    expect(await sealed.request('user.login', { uid: 'alice' })).toMatchObject({ code: 404, name: 'user.login' });
    expect(await sealed.request('who')).toMatchObject({ code: 404 });
    expect(await sealed.request('sealed.hello')).toMatchObject({ code: 0, data: { user: null } });
  });

  it('does not take the default space\'s error handlers when inherit is false', async () => {
    const sealed = await connect(running.wsUrl('/sealed'));
    expect(await sealed.request('sealed.refused')).toMatchObject({ code: 403, name: 'sealed.refused', text: 'sealed no' });
    const open = await connect(running.wsUrl('/open'));
    expect(await open.request('refused')).toMatchObject({ code: 403, name: 'denied.default' });
  });

  it('still runs the default space\'s filters there: declining handlers never skips a policy', async () => {
    const filtered = running.app.get(DefaultSpaceMessages).filtered;
    filtered.length = 0;
    const sealed = await connect(running.wsUrl('/sealed'));
    await sealed.request('sealed.hello');
    expect(filtered).toEqual(['sealed:sealed.hello']);
  });

  it('inherits only the listed names: "demo." as a prefix, "ping" exactly', async () => {
    const partial = await connect(running.wsUrl('/partial'));
    expect(await partial.request('demo.echo', { text: 'hi' })).toMatchObject({ code: 0, data: { text: 'hi' } });
    expect(await partial.request('ping')).toMatchObject({ code: 0, data: 'pong' });
    expect(await partial.request('pingx')).toMatchObject({ code: 404 });
    expect(await partial.request('demox.echo')).toMatchObject({ code: 404 });
    expect(await partial.request('user.login', { uid: 'alice' })).toMatchObject({ code: 404 });
    const open = await connect(running.wsUrl('/open'));
    expect(await open.request('user.login', { uid: 'alice' })).toMatchObject({ code: 0 });
  });
});
