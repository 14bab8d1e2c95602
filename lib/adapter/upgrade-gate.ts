import {
  type CanActivate,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { IncomingMessage } from 'node:http';
import { isObservable, lastValueFrom } from 'rxjs';
import type {
  WsAuthenticateFn,
  WsAuthenticator,
  WsAuthenticatorOption,
  WsIdentity,
} from '../interfaces/ws-authenticator.interface.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsConfigError } from '../errors/ws-config.error.js';
import { WsUpgradeError } from '../errors/ws-upgrade.error.js';
import { SessionRegistry } from '../session/session.registry.js';
import { describeError } from '../utils/describe-error.util.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ConnectionLimits } from './connection-limits.js';
import { originCheck, type OriginCheck } from './origin-check.js';
import { type Place, SpacePlaces } from './space-places.js';

/** A refused upgrade, answered over HTTP with `status` before any WebSocket exists. */
export class UpgradeRefusal {
  constructor(
    readonly status: number,
    readonly message?: string,
  ) {}
}

interface SpaceGate {
  authenticate?: WsAuthenticateFn;
  guards: CanActivate[];
}

/** What handshake guards see as their class and handler: there is no controller method at an upgrade. */
class WsUpgrade {
  static handshake(): void {}
}

/**
 * The checks an upgrade passes before a WebSocket exists, in order: its place (the space at its path, or the one
 * `resolveSpace` chooses; `place()`), room under the connection limits (503; `room()`), allowed origins (403,
 * synchronous, same-origin by default; `origin()`), then, asynchronously (`check()`), Nest guards run on the
 * upgrade request with `getType() === 'http'` (403, or their exception's status), then the authenticator
 * (401 when it returns nothing, or its exception's status). Authenticators and guards are resolved with DI.
 */
@Injectable()
export class UpgradeGate implements OnModuleInit {
  private readonly logger = new Logger(UpgradeGate.name);
  private readonly gates = new Map<string, SpaceGate>();
  private readonly origins = new Map<string, OriginCheck>();
  private readonly places: SpacePlaces;
  private readonly limits: ConnectionLimits;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly moduleRef: ModuleRef,
    sessions: SessionRegistry,
  ) {
    this.places = new SpacePlaces(options, this.logger);
    this.limits = new ConnectionLimits(sessions, options.maxConnections, options.spaceMaxConnections);
  }

  async onModuleInit(): Promise<void> {
    for (const [space, settings] of Object.entries(this.options.upgrade)) {
      this.origins.set(space, originCheck(settings.allowedOrigins));
      const gate: SpaceGate = { guards: [] };
      if (settings.authenticator) gate.authenticate = await this.authenticatorOf(settings.authenticator);
      for (const guard of settings.guards ?? []) gate.guards.push(await this.instanceOf(guard));
      if (gate.authenticate || gate.guards.length) this.gates.set(space, gate);
    }
  }

  /** The space configured at a path, if any; `place()` also asks the app's `resolveSpace`. */
  spaceAt(path: string): string | undefined {
    return this.places.at(path);
  }

  /**
   * Where an upgrade goes: `undefined` when nothing places it (404, or another listener's), `null` when the app's
   * `resolveSpace` failed (answered 500).
   */
  place(request: IncomingMessage, path: string, search: string): Place | undefined | null {
    return this.places.place(request, path, search);
  }

  /** Whether a space may take one more session, counting the upgrades still in `check()`; a refusal is 503. */
  room(space: string): boolean {
    return this.limits.room(space);
  }

  /** Whether the request's Origin may open a socket in this space; a refusal is answered 403. */
  origin(request: IncomingMessage, space: string): boolean {
    return this.origins.get(space)?.(request) ?? true;
  }

  /** Whether a space has any check, so upgrades to spaces without one stay synchronous. */
  guards(space: string): boolean {
    return this.gates.has(space);
  }

  /**
   * Resolves with the identity (if an authenticator gave one); rejects with an `UpgradeRefusal`. The upgrade counts
   * against the connection limits while it runs.
   */
  check(request: IncomingMessage, space: string): Promise<WsIdentity | undefined> {
    return this.limits.holding(() => this.runChecks(request, space));
  }

  private async runChecks(request: IncomingMessage, space: string): Promise<WsIdentity | undefined> {
    const gate = this.gates.get(space);
    if (!gate) return undefined;
    try {
      for (const guard of gate.guards) {
        const context = new ExecutionContextHost([request, undefined, undefined], WsUpgrade, WsUpgrade.handshake);
        context.setType('http');
        let allowed = guard.canActivate(context);
        if (isObservable(allowed)) allowed = lastValueFrom(allowed);
        if (!(await allowed)) throw new UpgradeRefusal(403);
      }
      if (!gate.authenticate) return undefined;
      const identity = await gate.authenticate(request, space);
      if (!identity) throw new UpgradeRefusal(401);
      return identity;
    } catch (err) {
      throw this.refusalOf(err);
    }
  }

  private refusalOf(err: unknown): UpgradeRefusal {
    if (err instanceof UpgradeRefusal) return err;
    if (err instanceof WsUpgradeError && err.status >= 400 && err.status < 500) return new UpgradeRefusal(err.status, err.message);
    if (err instanceof HttpException) {
      const status = err.getStatus();
      if (status >= 400 && status < 500) return new UpgradeRefusal(status, err.message);
    }
    this.logger.error(`upgrade check failed: ${describeError(err)}`, (err as Error)?.stack);
    return new UpgradeRefusal(500);
  }

  private async authenticatorOf(option: WsAuthenticatorOption): Promise<WsAuthenticateFn> {
    const isClass = typeof option.prototype?.authenticate === 'function';
    if (!isClass) return option as WsAuthenticateFn;
    const instance = await this.instanceOf(option as Type<WsAuthenticator>);
    return (request, space) => instance.authenticate(request, space);
  }

  /** The app's provider when it registered the class, else a new instance with its dependencies injected. */
  private async instanceOf<T>(type: Type<T>): Promise<T> {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      try {
        return await this.moduleRef.create(type);
      } catch (err) {
        throw new WsConfigError(
          `WsModule could not create ${type.name}: ${(err as Error).message} Register ${type.name} as a provider of your module so its dependencies resolve there.`,
        );
      }
    }
  }
}
