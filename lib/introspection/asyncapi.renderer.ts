import { inDialect } from '../protocol/dialect-shape.js';
import { type EnvelopeDialect, resolveDialect } from '../protocol/envelope-dialect.js';
import type { WsExportEntry, WsProtocolExport } from './export.interface.js';

/** AsyncAPI component keys allow only these characters; message names may hold more. */
const key = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Renders the protocol export as an AsyncAPI 3.0 document: one server, one channel per space (address = its
 * upgrade path), inbound messages as `receive` operations whose `reply` is the message the handler answers
 * with (under its reply name), and commands as `send` operations. A space's channel lists the default
 * space's messages too, because they resolve there as fallbacks. A space with its own envelope (`envelope`) gets
 * components of its own, under its field names; a raw space, one message of any bytes each way.
 */
export function renderAsyncApi(exp: WsProtocolExport, host: string): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const component = (kind: Kind, e: WsExportEntry, space: string, dialect: EnvelopeDialect | undefined) => {
    const id = key(`${dialect ? space : e.space}.${kind}.${e.name}`);
    const name = kind === 'reply' ? (e.reply ?? e.name) : e.name;
    const example = (kind === 'in' ? e.request : e.response) ?? {};
    messages[id] ??= {
      name,
      title: kind === 'reply' ? `${name} (reply to ${e.name})` : name,
      ...(e.desc && kind !== 'reply' ? { summary: e.desc } : {}),
      contentType: 'application/json',
      payload: envelopeSchema(kind, e, dialect),
      // The export already wrote the space's own entries in its dialect; the default space's are written here.
      examples: [{ name: 'example', payload: dialect && e.space !== space ? inDialect(example, dialect) : example }],
    };
    return id;
  };

  for (const [space, summary] of Object.entries(exp.spaces)) {
    if (summary.raw) {
      channels[key(space)] = rawChannel(space, summary.path, messages, operations);
      continue;
    }
    const dialect = summary.envelope ? resolveDialect(summary.envelope) : undefined;
    const visible = (e: WsExportEntry) => e.space === space || e.space === 'default';
    const channelMessages: Record<string, unknown> = {};
    const addOps = (kind: 'in' | 'out', entries: WsExportEntry[]) => {
      // The space's own entry shadows the default space's one of the same name.
      const byName = new Map<string, WsExportEntry>();
      for (const e of entries.filter(visible)) if (!byName.has(e.name) || e.space === space) byName.set(e.name, e);
      for (const e of byName.values()) {
        const msgKey = key(`${kind}.${e.name}`);
        channelMessages[msgKey] = { $ref: `#/components/messages/${component(kind, e, space, dialect)}` };
        let reply: Record<string, unknown> | undefined;
        if (kind === 'in') {
          const replyKey = key(`reply.${e.name}`);
          channelMessages[replyKey] = { $ref: `#/components/messages/${component('reply', e, space, dialect)}` };
          reply = { channel: { $ref: `#/channels/${key(space)}` }, messages: [{ $ref: `#/channels/${key(space)}/messages/${replyKey}` }] };
        }
        operations[key(`${space}.${kind === 'in' ? 'receive' : 'send'}.${e.name}`)] = {
          action: kind === 'in' ? 'receive' : 'send',
          channel: { $ref: `#/channels/${key(space)}` },
          ...(e.desc ? { summary: e.desc } : {}),
          messages: [{ $ref: `#/channels/${key(space)}/messages/${msgKey}` }],
          ...(reply ? { reply } : {}),
        };
      }
    };
    addOps('in', exp.messages);
    addOps('out', exp.commands);
    channels[key(space)] = {
      address: summary.path,
      title: `space ${space}`,
      servers: [{ $ref: '#/servers/ws' }],
      messages: channelMessages,
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: `${exp.schema.name} protocol`,
      version: exp.schema.version,
      description: `Generated ${exp.schema.generated}. Every frame is a JSON envelope; replies carry the request's id.`,
    },
    defaultContentType: 'application/json',
    servers: { ws: { host, protocol: 'ws', description: 'The WebSocket endpoint; each space is a path.' } },
    channels,
    operations,
    components: { messages },
  };
}

/** An inbound message, a command sent by the server, or the reply to an inbound message. */
type Kind = 'in' | 'out' | 'reply';

/** A raw space: frames of any bytes, text or binary, each way; no envelope. */
function rawChannel(space: string, path: string, messages: Record<string, unknown>, operations: Record<string, unknown>): Record<string, unknown> {
  const id = key(`${space}.raw`);
  messages[id] = {
    name: 'raw',
    title: 'raw frame',
    summary: 'A frame as it is: text or binary, no envelope.',
    contentType: 'application/octet-stream',
    payload: {},
  };
  const ref = { $ref: `#/channels/${key(space)}/messages/raw` };
  operations[key(`${space}.receive.raw`)] = { action: 'receive', channel: { $ref: `#/channels/${key(space)}` }, messages: [ref] };
  operations[key(`${space}.send.raw`)] = { action: 'send', channel: { $ref: `#/channels/${key(space)}` }, messages: [ref] };
  return {
    address: path,
    title: `space ${space} (raw frames)`,
    servers: [{ $ref: '#/servers/ws' }],
    messages: { raw: { $ref: `#/components/messages/${id}` } },
  };
}

function envelopeSchema(kind: Kind, e: WsExportEntry, dialect: EnvelopeDialect | undefined): Record<string, unknown> {
  const schema = defaultEnvelopeSchema(kind, e);
  return dialect ? dialectSchema(schema, dialect) : schema;
}

/** The default envelope's schema under a dialect's field names (in its order, without the time it lacks). */
function dialectSchema(schema: Record<string, unknown>, dialect: EnvelopeDialect): Record<string, unknown> {
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  const renamed = inDialect(properties, dialect) as Record<string, Record<string, unknown>>;
  // inDialect treats `text` as a value; the schema's text is a schema, so put it back under the dialect's name.
  if ('code' in properties) renamed[dialect.text] = { ...properties.text, ...(dialect.successText ? { description: `"${dialect.successText}" on success` } : {}) };
  const names: Record<string, string> = { name: dialect.name, id: dialect.id, code: dialect.code, text: dialect.text, data: dialect.data };
  if (dialect.time !== undefined) names.time = dialect.time;
  const required = (schema.required as string[]).filter((field) => field in names).map((field) => names[field]);
  return { ...schema, required, properties: renamed };
}

function defaultEnvelopeSchema(kind: Kind, e: WsExportEntry): Record<string, unknown> {
  const id = { oneOf: [{ type: 'string', maxLength: 128 }, { type: 'number' }] };
  if (kind === 'in') {
    return {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', const: e.name }, data: e.args, id },
    };
  }
  return {
    type: 'object',
    required: ['code', 'name', 'data', 'text', 'time'],
    properties: {
      code: { type: 'integer' },
      name: { type: 'string', const: kind === 'reply' ? (e.reply ?? e.name) : e.name },
      data: kind === 'reply' ? (e.replyArgs ?? {}) : e.args,
      text: { type: 'string' },
      time: { type: 'integer', description: 'unix seconds' },
      id,
    },
  };
}
