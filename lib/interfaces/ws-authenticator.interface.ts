import type { CanActivate, Type } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** Who a connection is, as an authenticator establishes it at upgrade. @publicApi */
export interface WsIdentity {
  /** Bound as the session's user before the open hooks run. */
  user?: string;
  /** Copied into `session.locals`. */
  locals?: Record<string, unknown>;
}

/**
 * Decides at upgrade, from the HTTP request, who connects. Return an identity to accept; `null` or `false` to
 * refuse with 401; throw an `HttpException` (or `WsUpgradeError`) to refuse with its status (401 or 403).
 * Nothing of the WebSocket exists yet when it runs.
 * @publicApi
 */
export interface WsAuthenticator {
  authenticate(request: IncomingMessage, space: string): WsIdentity | null | false | Promise<WsIdentity | null | false>;
}

/** The function form of an authenticator. @publicApi */
export type WsAuthenticateFn = WsAuthenticator['authenticate'];

/** An authenticator: a provider class (resolved with DI) or a function. @publicApi */
export type WsAuthenticatorOption = Type<WsAuthenticator> | WsAuthenticateFn;

/**
 * Allowed `Origin` headers. Unset: same-origin only (the Origin's host must be the request's Host). A list: those
 * origins as well as same-origin. `'*'`: any. A function of the origin (undefined when the client sent none)
 * decides alone. Requests without an Origin (non-browser clients) pass unless a function refuses them.
 * @publicApi
 */
export type WsAllowedOrigins = '*' | string[] | ((origin: string | undefined, request: IncomingMessage) => boolean);

/** What can check an upgrade: authenticator, origins, Nest guards (run on the upgrade request, with DI). @publicApi */
export interface WsUpgradeSettings {
  authenticator?: WsAuthenticatorOption;
  allowedOrigins?: WsAllowedOrigins;
  guards?: Type<CanActivate>[];
}
