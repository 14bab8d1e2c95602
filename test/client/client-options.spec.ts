import { resolveClientOptions, resolveUrl } from '../../lib/client/client-options.js';

describe('WsClient options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveClientOptions({})).toEqual({
      reconnect: { minDelay: 250, maxDelay: 10_000, factor: 2, jitter: 0.5, retries: Infinity },
      heartbeatInterval: 25_000,
      heartbeatTimeout: undefined, // decided per socket: 75 s under ws, none with a browser's WebSocket
      queueMax: 1000,
      queuePolicy: 'drop-oldest',
      timeout: 10_000,
      resumeWelcome: false,
    });
    expect(resolveClientOptions({ resume: true }).resumeWelcome).toBe('ws.welcome');
    expect(resolveClientOptions({ resume: { welcome: 'connection.established' } }).resumeWelcome).toBe('connection.established');
    expect(resolveClientOptions({ reconnect: false, heartbeat: false })).toMatchObject({ reconnect: false, heartbeatInterval: false, heartbeatTimeout: false });
  });

  it.each([
    [{ reconnect: { minDelay: 0 } }, 'reconnect.minDelay must be a number of milliseconds > 0 (got 0)'],
    [{ resume: { welcome: '' } }, 'resume must be true, false or { welcome: name } (got {"welcome":""})'],
    [{ reconnect: { factor: 0.5 } }, 'reconnect.factor must be a number >= 1 (got 0.5)'],
    [{ reconnect: { jitter: 2 } }, 'reconnect.jitter must be between 0 and 1 (got 2)'],
    [{ heartbeat: { interval: -1 } }, 'heartbeat.interval must be a number of milliseconds > 0 (got -1)'],
    [{ queue: { max: 1.5 } }, 'queue.max must be an integer >= 0 (got 1.5)'],
    [{ queue: { policy: 'block' as never } }, 'queue.policy must be one of drop-oldest, drop-newest, error (got block)'],
    [{ timeout: 0 }, 'timeout must be a number of milliseconds > 0 (got 0)'],
  ])('refuses %j, naming the option', (options, message) => {
    expect(() => resolveClientOptions(options)).toThrow(new TypeError(`WsClient: ${message}`));
  });

  it('takes ws:, wss: and http(s): URLs, and refuses the rest', () => {
    expect(resolveUrl('ws://h:1/ws')).toBe('ws://h:1/ws');
    expect(resolveUrl(new URL('https://h/ws?x=1'))).toBe('wss://h/ws?x=1');
    expect(() => resolveUrl('ftp://h/ws')).toThrow(/the URL must be ws:\/\//);
    expect(() => resolveUrl('/ws')).toThrow(); // a path needs a page to be relative to
  });
});
