/** The space every session belongs to unless its upgrade path names another. */
export const DEFAULT_SPACE = 'default';

export const WS_SPACE_METADATA = 'ws-spaces:space';
export const WS_MESSAGE_METADATA = 'ws-spaces:message';
export const WS_COMMAND_METADATA = 'ws-spaces:command';
export const WS_FILTER_METADATA = 'ws-spaces:filter';
export const WS_HOOK_METADATA = 'ws-spaces:hook';
export const WS_HANDLER_METADATA = 'ws-spaces:handler';
export const WS_RAW_METADATA = 'ws-spaces:raw';
export const WS_PREFIX_METADATA = 'ws-spaces:prefix';

/** The validated, defaulted options every internal provider reads. */
export const WS_RESOLVED_OPTIONS = Symbol('WS_RESOLVED_OPTIONS');

/**
 * `WsIntrospection` under a token, for `WsBroker`'s deprecated `export()`/`metrics()`: the broker sits below
 * introspection and must not import it.
 */
export const WS_INTROSPECTION = Symbol('WS_INTROSPECTION');
