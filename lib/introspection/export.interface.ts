import type { WsEnvelopeFields } from '../protocol/envelope-dialect.js';
import type { WsJsonSchema } from './json-schema.builder.js';

/** One declared message or command in the protocol export. @publicApi */
export interface WsExportEntry {
  name: string;
  space: string;
  desc: string;
  /** The arguments class's name, when there is one. */
  argsClass?: string;
  args: WsJsonSchema;
  /** What a client sends (messages) or what the server sends (commands). */
  request?: Record<string, unknown>;
  response: Record<string, unknown>;
  /** Messages: the name a returned value is replied under. Commands: the send lane. */
  reply?: string;
  /** Messages: the reply data's class name and schema, when declared (`replyArgs`, a reply command, the return type). */
  replyClass?: string;
  replyArgs?: WsJsonSchema;
  priority?: string;
}

/** Counts of what each space declares itself (the default space's fallbacks are not counted twice). */
export interface WsSpaceSummary {
  path: string;
  messages: number;
  commands: number;
  filters: number;
  handlers: number;
  hooks: number;
  /** The space's envelope dialect (`'wsrv'`, or every field name), when it is not the default envelope. */
  envelope?: 'wsrv' | Required<WsEnvelopeFields>;
  /** Present when the space's frames go unparsed to a `@WsRaw()` handler. */
  raw?: true;
}

/** The result of `WsIntrospection.export()` and `GET <introspection.path>/export`. @publicApi */
export interface WsProtocolExport {
  schema: { name: string; version: string; generated: string };
  spaces: Record<string, WsSpaceSummary>;
  messages: WsExportEntry[];
  commands: WsExportEntry[];
}

/** Counters of one space or of the total, plus the derived averages. @publicApi */
export type WsMetricsEntry = Record<string, number>;

/** The result of `WsIntrospection.metrics()` and `GET <introspection.path>/metrics`. @publicApi */
export interface WsMetricsReport {
  node: string;
  time: string;
  total: WsMetricsEntry;
  spaces: Record<string, WsMetricsEntry>;
}
