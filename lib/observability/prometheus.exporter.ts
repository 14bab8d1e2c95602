import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WsConfigError } from '../errors/ws-config.error.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { SpaceCounters } from './space-counters.js';
import { type WsCounterName, WsMetrics } from './ws-metrics.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { MISSING_PACKAGE } from '../ws.messages.js';

/** A Prometheus metric's name (after the prefix) and help text. */
type PromName = readonly [name: string, help: string];

/**
 * Every counter by its Prometheus name. Keyed by `WsCounterName`: a counter added to `SpaceCounters` without a
 * name here does not compile.
 */
const COUNTERS: Record<WsCounterName, PromName> = {
  messagesIn: ['messages_received_total', 'Frames received, heartbeats included.'],
  messagesOut: ['messages_sent_total', 'Frames written to sockets.'],
  bytesIn: ['received_bytes_total', 'Bytes of received frames.'],
  bytesOut: ['sent_bytes_total', 'Bytes of written frames.'],
  receiveFailures: ['receive_failures_total', 'Inbound frames that could not be handled.'],
  sendFailures: ['send_failures_total', 'Sends that did not reach a socket.'],
  parseFailures: ['parse_failures_total', 'Malformed inbound frames.'],
  handlerErrors: ['handler_errors_total', 'Exceptions in handlers, filters and hooks.'],
  dropped: ['dropped_total', 'Outbound messages discarded by a full queue.'],
  slowClosed: ['slow_closed_total', 'Sessions closed with 1013 because their send queue was full.'],
  writeTimeouts: ['write_timeouts_total', 'Sessions cut off because a write stalled past writeTimeout.'],
  readTimeouts: ['read_timeouts_total', 'Sessions terminated because the peer was silent past readTimeout.'],
  rateLimited: ['rate_limited_total', 'Messages answered 429.'],
  refused: ['refused_connections_total', 'Upgrades refused with 503 by the connection limits.'],
  clusterPublished: ['cluster_published_total', 'Dispatch packets published to other nodes.'],
  clusterFailures: ['cluster_failures_total', 'Dispatch packets that could not be published (Redis away).'],
  clusterReceived: ['cluster_received_total', 'Dispatch packets received from other nodes.'],
  clusterRejected: ['cluster_rejected_total', 'Dispatch packets refused as malformed, forged or oversize.'],
  seqGaps: ['seq_gaps_total', 'Dispatch packets lost between nodes, seen as sequence gaps.'],
  resumed: ['resumed_total', 'Sessions resumed with their resume token.'],
  resumeFailures: ['resume_failures_total', 'Resume tokens refused (unknown, expired or overflowed): 410 welcomes.'],
};
/** The values derived at snapshot time, exported as gauges: every field of `SpaceCounters` that is not a counter. */
const GAUGES: Record<Exclude<keyof SpaceCounters, WsCounterName>, PromName> = {
  connections: ['connections', 'Open sessions.'],
  users: ['users', 'Distinct bound users.'],
  queued: ['queued', 'Outbound messages waiting in session queues.'],
  averageSizeIn: ['average_received_bytes', 'Average size of a received frame, in bytes.'],
  averageSizeOut: ['average_sent_bytes', 'Average size of a written frame, in bytes.'],
};

type PromClient = typeof import('prom-client');
type Registry = import('prom-client').Registry;
type Metric = import('prom-client').Metric;

/**
 * The counters as Prometheus metrics through prom-client, an optional peer loaded on first use. Values are read
 * from `WsMetrics.snapshot()` in collect callbacks, so a scrape costs one snapshot and the message path nothing.
 * With `prometheus.registry` the metrics join the app's registry at bootstrap; otherwise a private registry is
 * created on the first scrape of the module's own endpoint.
 */
@Injectable()
export class WsPrometheusExporter implements OnModuleInit, OnModuleDestroy {
  private registry: Registry | undefined;
  private readonly registered: Metric[] = [];
  private loading: Promise<Registry> | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly metrics: WsMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.prometheus.registry !== undefined) await this.load();
  }

  onModuleDestroy(): void {
    // The app's registry outlives this module (tests, hot reload): leave it as we found it.
    for (const metric of this.registered.splice(0)) this.registry?.removeSingleMetric(metricName(metric));
  }

  /** The exposition text and its content type. Rejects with WsConfigError when prom-client is not installed. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const registry = await this.load();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  private load(): Promise<Registry> {
    this.loading ??= import('prom-client').then(
      (mod) => this.register(((mod as { default?: PromClient }).default ?? mod) as PromClient),
      () => {
        this.loading = undefined;
        throw new WsConfigError(MISSING_PACKAGE('prom-client', 'for Prometheus metrics'));
      },
    );
    return this.loading;
  }

  private register(client: PromClient): Registry {
    const registry = (this.options.prometheus.registry as Registry | undefined) ?? new client.Registry();
    const prefix = this.options.prometheus.prefix;
    const snapshot = () => this.metrics.snapshot().spaces;
    const metrics = this.registered;
    const labels = { labelNames: ['space'] as const, registers: [registry] };
    // In the order of SpaceCounters' fields, as the JSON metrics list them.
    for (const field of Object.keys(new SpaceCounters()) as Array<keyof SpaceCounters>) {
      if (isGauge(field)) {
        const [name, help] = GAUGES[field];
        metrics.push(
          new client.Gauge({
            ...labels,
            name: prefix + name,
            help,
            collect() {
              for (const [space, c] of Object.entries(snapshot())) this.set({ space }, c[field]);
            },
          }),
        );
      } else {
        const [name, help] = COUNTERS[field];
        metrics.push(
          new client.Counter({
            ...labels,
            name: prefix + name,
            help,
            // A counter cannot be set, only raised: start from zero at each scrape and add the current total.
            collect() {
              this.reset();
              for (const [space, c] of Object.entries(snapshot())) this.inc({ space }, c[field]);
            },
          }),
        );
      }
    }
    this.registry = registry;
    return registry;
  }
}

function metricName(metric: Metric): string {
  return (metric as unknown as { name: string }).name;
}

function isGauge(field: keyof SpaceCounters): field is keyof typeof GAUGES {
  return Object.hasOwn(GAUGES, field);
}
