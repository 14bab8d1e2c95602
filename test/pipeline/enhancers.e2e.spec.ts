import { APP_GUARD, ExternalContextCreator } from '@nestjs/core';
import { WsModule } from 'nestjs-ws-spaces';
import {
  ClassGuard,
  ClassGuardedHandlers,
  EnhancedHandlers,
  GlobalBlockGuard,
  RoleGuard,
  seen,
} from '../fixtures/enhancers.fixture.js';
import { nestEnhancerContexts } from '../../lib/pipeline/nest-enhancer-contexts.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { RecordingLogger, startApp, type RunningApp } from '../helpers/start-app.js';

describe('Nest enhancers on message handlers', () => {
  let running: RunningApp;
  let logger: RecordingLogger;

  beforeAll(async () => {
    logger = new RecordingLogger();
    running = await startApp(
      {
        imports: [WsModule.forRoot()],
        providers: [EnhancedHandlers, ClassGuardedHandlers, RoleGuard, ClassGuard, { provide: APP_GUARD, useClass: GlobalBlockGuard }],
      },
      logger,
    );
  });
  afterAll(() => running.close());
  afterEach(closeAllClients);

  // The handler factory feature-detects these and falls back without them (filters through Nest's default one,
  // which logs client errors; every handler wrapped), so a Nest upgrade that renames one would change behaviour
  // quietly. This spec is what notices, by name.
  it("finds the private context creators of Nest's ExternalContextCreator it composes handlers with", () => {
    const contexts = nestEnhancerContexts(running.app.get(ExternalContextCreator));
    expect(contexts.filters, 'ExternalContextCreator.filtersContextCreator (create, createContext)').toBeDefined();
    expect(contexts.guards, 'ExternalContextCreator.guardsContextCreator (create)').toBeDefined();
    expect(contexts.interceptors, 'ExternalContextCreator.interceptorsContextCreator (create)').toBeDefined();
  });

  it('runs a method guard with a gateway-style ExecutionContext; a refusal is 403', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('guarded.method', { a: 1 }, 'g')).toMatchObject({ code: 403, id: 'g' });
    expect(seen).toMatchObject({ type: 'ws', data: { a: 1 }, pattern: 'guarded.method', handler: 'guardedMethod' });
    expect((seen.client as { id: string }).id).toMatch(/\./);
    await client.request('login', { uid: 'admin' });
    expect(await client.request('guarded.method')).toMatchObject({ code: 0, data: 'admin only' });
    expect((await client.request('open.method')).data).toBe('anyone');
  });

  it('runs a class guard on every handler of the class', async () => {
    const client = await connect(running.wsUrl());
    expect((await client.request('class.guarded', {})).code).toBe(403);
    expect((await client.request('class.guarded', { pass: true })).data).toBe('passed');
  });

  it('runs global guards (APP_GUARD) on every handler', async () => {
    const client = await connect(running.wsUrl());
    expect((await client.request('open.method', { blocked: true })).code).toBe(403);
  });

  it('applies pipes to decorated parameters, and fills the session, context and user parameters', async () => {
    const client = await connect(running.wsUrl());
    await client.request('login', { uid: 'ann' });
    // As for any Nest handler, a method's pipes apply to every decorated parameter, the user included.
    expect((await client.request('shout', { text: 'hey' })).data).toEqual({ text: 'HEY', user: 'ANN', sameSession: true });
  });

  it('lets an interceptor map the result', async () => {
    const client = await connect(running.wsUrl());
    expect((await client.request('wrapped')).data).toEqual({ wrapped: 42 });
  });

  it('lets an exception filter answer for the handler', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('filtered.error')).toMatchObject({ code: 400, name: 'filtered', data: { caught: 'caught by the filter' } });
  });

  it('maps HttpException statuses and WsException to reply codes, without logging them as errors', async () => {
    const client = await connect(running.wsUrl());
    expect(await client.request('http.forbidden')).toMatchObject({ code: 403, text: 'not yours' });
    expect(await client.request('http.teapot')).toMatchObject({ code: 400, data: ['a must be set', 'b must be set'] });
    expect(await client.request('ws.exception')).toMatchObject({ code: 400, text: 'bad ws input' });
    expect(await client.request('ws.exception.object')).toMatchObject({ code: 1, text: 'soft failure', data: { hint: 'retry' } });
    expect(logger.lines.error).toEqual([]);
  });
});
