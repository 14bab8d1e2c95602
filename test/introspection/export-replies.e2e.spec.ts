import { Parser } from '@asyncapi/parser';
import { WsModule, type WsProtocolExport } from 'nestjs-ws-spaces';
import { RoomHandlers } from '../fixtures/introspection-replies.fixture.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';

describe('The export describes replies and @WsArgs() DTOs', () => {
  let running: RunningApp;
  let exported: WsProtocolExport;
  const entry = (name: string) => exported.messages.find((m) => m.name === name)!;

  beforeAll(async () => {
    running = await startApp({ imports: [WsModule.forRoot()], providers: [RoomHandlers] });
    exported = (await (await fetch(running.httpUrl('/ws/export'))).json()) as WsProtocolExport;
  });
  afterAll(async () => {
    await closeAllClients();
    await running.close();
  });

  it('lists the reply name the handler really answers with', async () => {
    expect(entry('room.join').reply).toBe('room.joined');
    const client = await connect(running.wsUrl());
    const reply = await client.request('room.join', entry('room.join').request!.data);
    expect(reply).toMatchObject({ code: 0, name: entry('room.join').reply, data: { room: 'room', members: 1 } });
  });

  it('builds the response example from the declared reply class', () => {
    const join = entry('room.join');
    expect(join).toMatchObject({ replyClass: 'Joined' });
    expect(join.replyArgs).toEqual({
      type: 'object',
      properties: { room: { type: 'string' }, members: { type: 'integer', minimum: 1 } },
      required: ['room', 'members'],
    });
    expect(join.response).toMatchObject({ code: 0, name: 'room.joined', data: { room: 'room', members: 1 }, id: 'r1' });
  });

  it('builds the response example from the handler\'s declared return class', () => {
    expect(entry('room.info')).toMatchObject({ replyClass: 'RoomInfo', response: { name: 'room.info', data: { room: 'room', topics: 0 } } });
  });

  it('reads the arguments schema of a whole-arguments @WsArgs() DTO parameter', async () => {
    const rename = entry('room.rename');
    expect(rename).toMatchObject({ argsClass: 'RenameArgs' });
    expect(rename.args).toEqual({ type: 'object', properties: { title: { type: 'string', maxLength: 8 } }, required: ['title'] });
    expect(rename.request).toEqual({ name: 'room.rename', data: { title: 'title' }, id: 'r1' });
    const client = await connect(running.wsUrl());
    expect(await client.request('room.rename', rename.request!.data)).toMatchObject({ code: 0, name: 'room.rename', data: { title: 'title' } });
  });

  it('leaves a one-field @WsArgs(\'field\') handler an open object', () => {
    const topic = entry('room.topic');
    expect(topic.argsClass).toBeUndefined();
    expect(topic.args).toEqual({ type: 'object' });
    expect(topic.replyClass).toBeUndefined();
    expect(topic.response).toMatchObject({ name: 'room.topic', data: {} });
  });

  it('gives each AsyncAPI receive operation a reply with the reply name and data schema, and stays valid', async () => {
    const doc = (await (await fetch(running.httpUrl('/ws/asyncapi.json'))).json()) as any;
    const op = doc.operations['default.receive.room.join'];
    expect(op.reply.messages).toEqual([{ $ref: '#/channels/default/messages/reply.room.join' }]);
    const message = doc.components.messages['default.reply.room.join'];
    expect(message.name).toBe('room.joined');
    expect(message.payload.properties.name.const).toBe('room.joined');
    expect(message.payload.properties.data).toEqual(entry('room.join').replyArgs);
    expect(message.examples[0].payload).toEqual(entry('room.join').response);
    expect(doc.components.messages['default.in.room.rename'].payload.properties.data).toEqual(entry('room.rename').args);

    const errors = (await new Parser().validate(doc)).filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
  });
});
