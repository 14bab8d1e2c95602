import { Injectable } from '@nestjs/common';
import { WsContext, WsHandler, WsMessage, WsModule, WsSpace } from 'nestjs-ws-spaces';
import { closeAllClients, connect, type Envelope, type TestClient } from '../helpers/ws-client.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';

@Injectable()
class RequestReplyHandlers {
  fired = 0;

  @WsMessage('rr.silent')
  silent(): void {}

  @WsMessage('rr.silent.named', { reply: 'rr.done' })
  silentNamed(): void {}

  @WsMessage('rr.fire', { reply: false })
  fire(): string {
    this.fired++;
    return 'not sent';
  }

  @WsMessage('rr.fire.explicit', { reply: false })
  fireExplicit(ctx: WsContext) {
    return ctx.reply('rr.explicit', { ok: true });
  }

  @WsMessage('rr.reply.then.throw')
  async replyThenThrow(ctx: WsContext) {
    await ctx.reply('rr.partial', { step: 1 });
    throw new Error('after the reply');
  }

  /**
   * Replies one event-loop turn later: messages of one session are handled concurrently, so the fence's reply
   * comes after everything the frames sent before it produced (none of them waits on I/O).
   */
  @WsMessage('fence')
  async fence() {
    await new Promise((resolve) => setImmediate(resolve));
    return 'fence';
  }
}

/** An error handler in its own space that stays silent: the request must still get the default reply. */
@Injectable()
@WsSpace('quiet')
class QuietErrors {
  @WsHandler('error')
  swallow() {}

  @WsMessage('q.throw')
  throws(): never {
    throw new Error('boom');
  }
}

/** Everything that arrives before the reply to a final `fence` request, which proves nothing else is coming. */
async function untilFence(client: TestClient): Promise<Envelope[]> {
  const id = `fence-${Math.random()}`;
  client.send({ name: 'fence', id });
  await client.nextWhere((e) => e.id === id);
  const before = client.received.slice(0, client.received.findIndex((e) => e.id === id));
  client.received.length = 0;
  return before;
}

describe('Request/reply: every request gets its reply, correlated', () => {
  let running: RunningApp;
  let client: TestClient;

  beforeAll(async () => {
    running = await startApp({
      imports: [WsModule.forRoot({ spaces: { quiet: '/quiet' } })],
      providers: [RequestReplyHandlers, QuietErrors],
    });
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    client = await connect(running.wsUrl());
  });
  afterEach(closeAllClients);

  describe('acknowledgement', () => {
    it('acknowledges a request whose handler returned nothing: {code:0, name, data:null, text:"", time, id}', async () => {
      client.send({ name: 'rr.silent', id: 'a1' });
      const before = await untilFence(client);
      expect(before).toHaveLength(1);
      expect(Object.keys(before[0])).toEqual(['code', 'name', 'data', 'text', 'time', 'id']);
      expect(before[0]).toMatchObject({ code: 0, name: 'rr.silent', data: null, text: '', id: 'a1' });
    });

    it('acknowledges under the declared reply name', async () => {
      client.send({ name: 'rr.silent.named', id: 7 });
      expect(await untilFence(client)).toEqual([expect.objectContaining({ code: 0, name: 'rr.done', data: null, id: 7 })]);
    });

    it('sends nothing for a message without an id', async () => {
      client.send({ name: 'rr.silent' });
      expect(await untilFence(client)).toEqual([]);
    });

    it('sends nothing automatically for reply: false, not even a returned value; ctx.reply still works', async () => {
      const handlers = running.app.get(RequestReplyHandlers);
      const fired = handlers.fired;
      client.send({ name: 'rr.fire', id: 'f1' });
      expect(await untilFence(client)).toEqual([]);
      expect(handlers.fired).toBe(fired + 1);
      client.send({ name: 'rr.fire.explicit', id: 'f2' });
      expect(await untilFence(client)).toEqual([expect.objectContaining({ code: 0, name: 'rr.explicit', id: 'f2' })]);
    });

    it('does not answer a second time when the handler fails after replying', async () => {
      client.send({ name: 'rr.reply.then.throw', id: 'once' });
      expect(await untilFence(client)).toEqual([expect.objectContaining({ code: 0, name: 'rr.partial', id: 'once' })]);
    });

    it('sends the default error reply when an error handler stays silent on a request', async () => {
      const quiet = await connect(running.wsUrl('/quiet'));
      quiet.send({ name: 'q.throw', id: 'e1' });
      expect(await quiet.nextWhere((e) => e.id === 'e1')).toMatchObject({ code: 500, name: 'q.throw', text: 'internal error' });
    });
  });

  describe('frames refused while parsing echo id and name when they were readable', () => {
    it('echoes both on a frame nested deeper than maxDepth', async () => {
      const deep = JSON.parse('['.repeat(70) + ']'.repeat(70));
      client.send({ name: 'fence', id: 'deep', data: deep });
      expect(await client.next()).toMatchObject({ code: 400, name: 'fence', id: 'deep', text: expect.stringContaining('deeper than 64') });
    });

    it('echoes the name when only the id is bad, and the id when only the name is bad', async () => {
      client.send({ name: 'fence', id: { bad: true } });
      const badId = await client.next();
      expect(badId).toMatchObject({ code: 400, name: 'fence' });
      expect(badId.id).toBeUndefined();
      client.send({ name: '', id: 'kept' });
      expect(await client.next()).toMatchObject({ code: 400, name: '', id: 'kept' });
    });

    it('echoes the head of a frame that is not valid JSON after it', async () => {
      client.send('{"name":"fence","id":"broken","data":{"x":');
      expect(await client.next()).toMatchObject({ code: 400, name: 'fence', id: 'broken', text: 'malformed message: not valid json' });
      client.send('{"data":{}, "id":"no-name", ');
      expect(await client.next()).toMatchObject({ code: 400, name: '', id: 'no-name' });
    });
  });

  describe('ids are echoed exactly, or refused', () => {
    it.each(['9007199254740993', '-9007199254740993', '1e300', '1.5'])('refuses the numeric id %s with 400, never a changed echo', async (raw) => {
      client.send(`{"name":"fence","id":${raw}}`);
      const reply = await client.next();
      expect(reply).toMatchObject({ code: 400, name: 'fence', text: expect.stringContaining('"id"') });
      expect(reply.id).toBeUndefined();
    });

    it('echoes the largest safe integers exactly', async () => {
      client.send('{"name":"fence","id":9007199254740991}');
      expect(client.frames.length).toBe(0);
      await client.next();
      expect(client.frames[0].toString()).toMatch(/,"id":9007199254740991}$/);
      client.send('{"name":"fence","id":-9007199254740991}');
      expect((await client.next()).id).toBe(-9007199254740991);
    });

    it('counts the id limit in characters: 128 emoji pass, 129 do not', async () => {
      const ok = '😀'.repeat(128); // 256 UTF-16 code units
      expect((await client.request('fence', undefined, ok)).code).toBe(0);
      client.send({ name: 'fence', id: ok + '😀' });
      const refused = await client.next();
      expect(refused.code).toBe(400);
      expect(refused.id).toBeUndefined();
    });
  });
});
