import type { WsExportEntry, WsProtocolExport } from './export.interface.js';

/** AsyncAPI component keys allow only these characters; message names may hold more. */
const key = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Renders the protocol export as an AsyncAPI 3.0 document: one server, one channel per space (address = its
 * upgrade path), inbound messages as `receive` operations whose `reply` is the message the handler answers
 * with (under its reply name), and commands as `send` operations. A space's channel lists the default
 * space's messages too, because they resolve there as fallbacks.
 */
export function renderAsyncApi(exp: WsProtocolExport, host: string): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const component = (kind: Kind, e: WsExportEntry) => {
    const id = key(`${e.space}.${kind}.${e.name}`);
    const name = kind === 'reply' ? (e.reply ?? e.name) : e.name;
    messages[id] ??= {
      name,
      title: kind === 'reply' ? `${name} (reply to ${e.name})` : name,
      ...(e.desc && kind !== 'reply' ? { summary: e.desc } : {}),
      contentType: 'application/json',
      payload: envelopeSchema(kind, e),
      examples: [{ name: 'example', payload: kind === 'in' ? e.request : e.response }],
    };
    return id;
  };

  for (const [space, summary] of Object.entries(exp.spaces)) {
    const visible = (e: WsExportEntry) => e.space === space || e.space === 'default';
    const channelMessages: Record<string, unknown> = {};
    const addOps = (kind: 'in' | 'out', entries: WsExportEntry[]) => {
      // The space's own entry shadows the default space's one of the same name.
      const byName = new Map<string, WsExportEntry>();
      for (const e of entries.filter(visible)) if (!byName.has(e.name) || e.space === space) byName.set(e.name, e);
      for (const e of byName.values()) {
        const msgKey = key(`${kind}.${e.name}`);
        channelMessages[msgKey] = { $ref: `#/components/messages/${component(kind, e)}` };
        let reply: Record<string, unknown> | undefined;
        if (kind === 'in') {
          const replyKey = key(`reply.${e.name}`);
          channelMessages[replyKey] = { $ref: `#/components/messages/${component('reply', e)}` };
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

function envelopeSchema(kind: Kind, e: WsExportEntry): Record<string, unknown> {
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
