// Module
export { WsModule } from './ws.module.js';
export { WsSpacesAdapter } from './adapter/ws-spaces.adapter.js';
export type { WsGatewayOptions } from './adapter/ws-spaces.adapter.js';
export { WS_MODULE_OPTIONS } from './ws.module-definition.js';
export { DEFAULT_SPACE } from './ws.constants.js';

// Decorators
export { WsSpace, WsMessage, WsCommand, WsFilter, WsHook, WsHandler, WsPrefix } from './decorators/index.js';
export { WsRaw } from './decorators/ws-raw.decorator.js';
export { WsRawContext } from './context/ws-raw-context.js';
export type { WsRawData } from './broker/raw-frame.js';
export type { WsPresenceCount } from './cluster/presence/presence-directory.js';
export { WsArgs, WsClient, WsCtx, WsUser } from './decorators/ws-params.decorator.js';

// Sending and context
export { WsBroker } from './broker/ws.broker.js';
export { WsContext } from './context/ws-context.js';
export { WsSession } from './session/ws-session.js';
export type { WsRequestFacts } from './session/ws-session.js';
export type { WsWelcome } from './session/welcome.js';
export { WsMetrics } from './observability/ws-metrics.js';
export { SpaceCounters as WsSpaceCounters } from './observability/space-counters.js';

// Introspection
export { WsIntrospection } from './introspection/export.service.js';
export type {
  WsExportEntry,
  WsMetricsEntry,
  WsMetricsReport,
  WsProtocolExport,
  WsSpaceSummary,
} from './introspection/export.interface.js';
export type { WsJsonSchema } from './introspection/json-schema.builder.js';
export type { WsTraceEntry, WsTraceReport } from './observability/trace-buffer.js';

// Protocol
export { WsCode, WsCloseCode } from './protocol/ws-code.js';
export type { WsCodec } from './protocol/codec.interface.js';
export type { OutboundEnvelope as WsOutboundEnvelope } from './protocol/outbound-envelope.js';
export type { WsEnvelopeFields, WsEnvelopeOption } from './protocol/envelope-dialect.js';

// Errors
export { WsConfigError } from './errors/ws-config.error.js';
export { WsCommandDataError } from './errors/ws-command-data.error.js';
export { WsGroupLimitError } from './errors/ws-group-limit.error.js';
export { WsIdentityError } from './errors/ws-identity.error.js';
export { WsUpgradeError } from './errors/ws-upgrade.error.js';
export { WsAcceptError } from './errors/ws-accept.error.js';
export type { WsAcceptRefusal } from './errors/ws-accept.error.js';
export { WsPublishTimeoutError } from './cluster/publish-timeout.js';
export type { WsFieldError } from './validation/args-validator.js';
export {
  WsReplyError,
  WsDeniedError,
  WsInvalidError,
  WsNotFoundError,
  WsFailError,
  WsInternalError,
  WsServerError,
} from './errors/ws-reply.error.js';

// Types
export type * from './interfaces/index.js';
