import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import type { CommandEntry, MessageEntry } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { renderAsyncApi } from './asyncapi.renderer.js';
import { exampleOf } from './example.builder.js';
import { returnClassOf, wsArgsClassOf } from './handler-types.js';
import type { WsExportEntry, WsMetricsEntry, WsMetricsReport, WsProtocolExport } from './export.interface.js';
import { schemaOfClass, type ValidatorMetadataSource, type WsJsonSchema } from './json-schema.builder.js';
import { PACKAGE_INFO } from '../utils/package-info.util.js';
import type { WsTraceReport } from '../observability/trace-buffer.js';
import { WsTracer } from '../observability/ws-tracer.js';
import { welcomeExportEntry } from '../session/welcome.js';
import { type EnvelopeDialect, resolveDialect } from '../protocol/envelope-dialect.js';
import { inDialect } from '../protocol/dialect-shape.js';

/**
 * What the module can tell about itself: the protocol it speaks (export, AsyncAPI) and how it is doing
 * (metrics). Everything is computed when asked, never on the message path.
 * @publicApi
 */
@Injectable()
export class WsIntrospection implements OnModuleInit {
  private validator: ValidatorMetadataSource | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly registry: WsRegistry,
    private readonly counters: WsMetrics,
    private readonly tracer: WsTracer,
  ) {}

  async onModuleInit(): Promise<void> {
    // class-validator is an optional peer: without it, argument schemas are bare objects.
    try {
      const mod = (await import('class-validator')) as ValidatorMetadataSource & { default?: ValidatorMetadataSource };
      this.validator = typeof mod.getMetadataStorage === 'function' ? mod : mod.default;
    } catch {
      this.validator = undefined;
    }
  }

  /** The protocol: every space with its counts, every message and command with schema and examples. */
  export(): WsProtocolExport {
    const { messages, commands } = this.registry.declared();
    const spaces: WsProtocolExport['spaces'] = {};
    for (const [space, path] of Object.entries(this.options.spaces)) {
      const table = this.registry.table(space);
      const own = (e: { space: string }) => e.space === space;
      spaces[space] = {
        path,
        messages: messages.filter(own).length,
        commands: commands.filter(own).length,
        filters: table.filters.filter(own).length,
        handlers: Object.values(table.handlers).filter((h) => h && own(h)).length,
        hooks: Object.values(table.hooks).flat().filter(own).length,
      };
      const dialect = this.dialect(space);
      if (dialect) spaces[space].envelope = dialect.setting;
      if (this.options.rawSpaces.includes(space)) spaces[space].raw = true;
    }
    const commandsByName = new Map(commands.map((c) => [`${c.space}\0${c.name}`, c]));
    const result: WsProtocolExport = {
      schema: { ...PACKAGE_INFO, generated: new Date().toISOString() },
      spaces,
      messages: messages.map((m) => this.messageEntry(m, commandsByName)),
      commands: commands.map((c) => this.commandEntry(c)),
    };
    // The welcome (option `welcome`) is a server message of every space, as a default-space command would be.
    // A command the app declared under that name (to give it a class) stands for it instead.
    const welcome = this.options.welcome;
    if (welcome !== false && !commands.some((c) => c.space === 'default' && c.name === welcome)) result.commands.push(welcomeExportEntry(welcome, this.options.resume !== false));
    return result;
  }

  /** The same registry as an AsyncAPI 3.0 document; `host` goes into its server entry. */
  asyncApi(host = 'localhost'): Record<string, unknown> {
    return renderAsyncApi(this.export(), host);
  }

  /** Every counter, totals and per space, with average sizes derived from bytes and messages. */
  metrics(): WsMetricsReport {
    const snapshot = this.counters.snapshot();
    const spaces: Record<string, WsMetricsEntry> = {};
    for (const [name, counters] of Object.entries(snapshot.spaces)) spaces[name] = { ...counters };
    return {
      node: this.options.nodeId,
      time: new Date().toISOString(),
      total: { ...snapshot.total },
      spaces,
    };
  }

  /** The last handled messages, newest first, when the `trace` option is on; undefined otherwise. */
  trace(): WsTraceReport | undefined {
    return this.tracer.report();
  }

  /** A space's dialect; the export shows the examples of its own messages and commands in it. */
  private dialect(space: string): EnvelopeDialect | undefined {
    return resolveDialect(this.options.spaceEnvelope[space]);
  }

  private schemaOf(cls: Function | undefined): WsJsonSchema {
    return cls ? schemaOfClass(cls, this.validator) : { type: 'object' };
  }

  private messageEntry(m: MessageEntry, commands: Map<string, CommandEntry>): WsExportEntry {
    // The args class is the option's, else the type of a whole-arguments `@WsArgs()` parameter.
    const argsClass = m.options.args ?? wsArgsClassOf(m.instance, m.methodName);
    const args = this.schemaOf(argsClass);
    const reply = m.options.reply || m.name;
    // The reply's shape: declared on the message, else the reply command's, else the handler's return type;
    // without any, the example shows an empty object.
    const command = commands.get(`${m.space}\0${reply}`) ?? commands.get(`default\0${reply}`);
    const replyClass = m.options.replyArgs ?? command?.options.args ?? returnClassOf(m.instance, m.methodName);
    const replyArgs = replyClass ? this.schemaOf(replyClass) : undefined;
    const dialect = this.dialect(m.space);
    const request = { name: m.name, data: exampleOf(args), id: 'r1' };
    const response = { code: 0, name: reply, data: replyArgs ? exampleOf(replyArgs) : {}, text: '', time: 1770000000, id: 'r1' };
    return {
      name: m.name,
      space: m.space,
      desc: m.options.desc ?? '',
      ...(argsClass ? { argsClass: argsClass.name } : {}),
      args,
      request: dialect ? inDialect(request, dialect) : request,
      response: dialect ? inDialect(response, dialect) : response,
      reply,
      ...(replyClass && replyArgs ? { replyClass: replyClass.name, replyArgs } : {}),
    };
  }

  private commandEntry(c: CommandEntry): WsExportEntry {
    const args = this.schemaOf(c.options.args);
    const dialect = this.dialect(c.space);
    const response = { code: 0, name: c.name, data: exampleOf(args), text: '', time: 1770000000 };
    return {
      name: c.name,
      space: c.space,
      desc: c.options.desc ?? '',
      ...(c.options.args ? { argsClass: c.options.args.name } : {}),
      args,
      response: dialect ? inDialect(response, dialect) : response,
      priority: c.options.priority ?? 'normal',
    };
  }
}
