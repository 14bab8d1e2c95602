import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { WsIntrospection } from './export.service.js';
import { WsPrometheusExporter } from '../observability/prometheus.exporter.js';

/**
 * Mounts `GET <path>/export`, `<path>/asyncapi.json`, `<path>/metrics` and `<path>/trace` straight on the HTTP adapter, so they
 * work with Express and Fastify alike and need no controller class in the app. Mounted at module init, which
 * Nest runs after the app's own routes and before its not-found handler.
 */
@Injectable()
export class WsIntrospectionRoutes implements OnModuleInit {
  private readonly logger = new Logger(WsIntrospectionRoutes.name);

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly introspection: WsIntrospection,
    private readonly prometheus: WsPrometheusExporter,
  ) {}

  onModuleInit(): void {
    const { enabled, path } = this.options.introspection;
    const adapter = this.adapterHost.httpAdapter;
    // An application context (no HTTP server) has nothing to mount on; the service API still works.
    if (!enabled || !adapter) return;
    const base = path === '/' ? '' : path;
    const json = (res: unknown, body: unknown) => {
      adapter.setHeader(res, 'Content-Type', 'application/json; charset=utf-8');
      adapter.reply(res, body, 200);
    };
    adapter.get(`${base}/export`, (_req: unknown, res: unknown) => json(res, this.introspection.export()));
    adapter.get(`${base}/asyncapi.json`, (req: { headers?: Record<string, unknown> }, res: unknown) => {
      json(res, this.introspection.asyncApi(String(req.headers?.host ?? 'localhost')));
    });
    adapter.get(`${base}/trace`, (_req: unknown, res: unknown) => {
      const report = this.introspection.trace();
      if (report) return json(res, report);
      adapter.setHeader(res, 'Content-Type', 'application/json; charset=utf-8');
      adapter.reply(res, { error: 'the trace is off: set the module option trace: true (or { size })' }, 404);
    });
    adapter.get(`${base}/metrics`, (req: { url?: string }, res: unknown) => {
      const format = new URL(req.url ?? '/', 'http://local').searchParams.get('format');
      if (format !== 'prometheus') return json(res, this.introspection.metrics());
      this.prometheus.scrape().then(
        ({ contentType, body }) => {
          adapter.setHeader(res, 'Content-Type', contentType);
          adapter.reply(res, body, 200);
        },
        (err: Error) => {
          this.logger.error(err.message);
          adapter.setHeader(res, 'Content-Type', 'text/plain; charset=utf-8');
          adapter.reply(res, err.message, 501);
        },
      );
    });
  }
}
