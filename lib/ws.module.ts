import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SpacesUpgradeHost } from './adapter/spaces-upgrade.host.js';
import { SessionAssembly } from './adapter/session-assembly.js';
import { ClusterReceiver } from './broker/cluster-receiver.js';
import { FanOut } from './broker/fan-out.js';
import { SendRouter } from './broker/send-router.js';
import { SessionAcceptor } from './broker/session-acceptor.js';
import { WsBroker } from './broker/ws.broker.js';
import type { WsModuleOptions } from './interfaces/ws-module-options.interface.js';
import { WsIntrospection } from './introspection/export.service.js';
import { WsIntrospectionRoutes } from './introspection/introspection.routes.js';
import { WsPrometheusExporter } from './observability/prometheus.exporter.js';
import { WsObserver } from './observability/ws-observer.js';
import { WsTracer } from './observability/ws-tracer.js';
import { WsMetrics } from './observability/ws-metrics.js';
import { resolveOptions } from './options/resolve-options.js';
import { Dispatcher } from './pipeline/dispatcher.js';
import { RawDispatcher } from './pipeline/raw-dispatcher.js';
import { HandlerFactory } from './pipeline/handler-factory.js';
import { InboundLimiter } from './pipeline/inbound-limiter.js';
import { SendHooks } from './pipeline/send-hooks.js';
import { ContextWiring } from './pipeline/context-wiring.js';
import { SpaceCodecs } from './protocol/space-codecs.js';
import { ArgsValidator } from './validation/args-validator.js';
import { UpgradeGate } from './adapter/upgrade-gate.js';
import { ClusterDispatcher } from './cluster/cluster-dispatcher.js';
import { PresenceDirectory } from './cluster/presence/presence-directory.js';
import { WS_CLUSTER_TRANSPORT } from './cluster/cluster-transport.interface.js';
import type { WsResolvedOptions } from './interfaces/ws-module-options.interface.js';
import { SessionLifecycle } from './pipeline/session-lifecycle.js';
import { SessionParking } from './session/resume/session-parking.js';
import { WsExplorer } from './registry/ws.explorer.js';
import { WsMetadataAccessor } from './registry/ws-metadata.accessor.js';
import { WsRegistry } from './registry/ws.registry.js';
import { SessionControl } from './session/session-control.js';
import { SessionRegistry } from './session/session.registry.js';
import { WS_INTROSPECTION, WS_RESOLVED_OPTIONS } from './ws.constants.js';
import { WS_MODULE_OPTIONS, WS_OPTIONS_TYPE, WsConfigurableModule } from './ws.module-definition.js';

/**
 * Structured WebSocket messaging for a Nest app: `WsModule.forRoot({ path, spaces, ... })` or `forRootAsync()`.
 * Global by default (`isGlobal: false` to opt out), so `WsBroker` can be injected anywhere.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: WS_RESOLVED_OPTIONS,
      // Validation runs here, so a wrong option fails the bootstrap with a message that names it.
      useFactory: (options: WsModuleOptions) => resolveOptions(options),
      inject: [WS_MODULE_OPTIONS],
    },
    {
      provide: ArgsValidator,
      useFactory: (options: WsResolvedOptions) => new ArgsValidator(options.validation),
      inject: [WS_RESOLVED_OPTIONS],
    },
    {
      // The codec of every space (the module's, or a dialect of it): the fan-out encodes with it, the dispatchers decode.
      provide: SpaceCodecs,
      useFactory: (options: WsResolvedOptions) => new SpaceCodecs(options),
      inject: [WS_RESOLVED_OPTIONS],
    },
    HandlerFactory,
    UpgradeGate,
    {
      provide: WS_CLUSTER_TRANSPORT,
      // Loaded only with `redis` set, so a single-node app never imports @nestjs/microservices or ioredis.
      useFactory: async (options: WsResolvedOptions, metrics: WsMetrics) => {
        if (!options.redis) return undefined;
        const { createRedisTransport } = await import('./cluster/redis/create-redis-transport.js');
        return createRedisTransport(options, () => metrics.countTotal('clusterRejected'));
      },
      inject: [WS_RESOLVED_OPTIONS, WsMetrics],
    },
    ClusterDispatcher,
    PresenceDirectory,
    WsMetadataAccessor,
    WsRegistry,
    WsExplorer,
    SessionRegistry,
    WsMetrics,
    FanOut,
    SessionControl,
    SendRouter,
    SessionAcceptor,
    ContextWiring,
    ClusterReceiver,
    WsBroker,
    SendHooks,
    Dispatcher,
    RawDispatcher,
    InboundLimiter,
    SessionLifecycle,
    SpacesUpgradeHost,
    SessionAssembly,
    SessionParking,
    WsIntrospection,
    // For WsBroker's deprecated export()/metrics(), without the broker importing introspection.
    { provide: WS_INTROSPECTION, useExisting: WsIntrospection },
    WsPrometheusExporter,
    WsIntrospectionRoutes,
    WsObserver,
    WsTracer,
  ],
  exports: [WsBroker, WsMetrics, WsIntrospection],
})
export class WsModule extends WsConfigurableModule {
  /** Every option has a default, so `WsModule.forRoot()` alone gives a working `/ws` endpoint. */
  static override forRoot(options: typeof WS_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
