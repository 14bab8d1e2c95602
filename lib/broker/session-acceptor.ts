import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WsAcceptError } from '../errors/ws-accept.error.js';
import type { WsAcceptOptions } from '../interfaces/ws-accept-options.interface.js';
import type { WsSession } from '../session/ws-session.js';

type Adopt = (ws: object, request: IncomingMessage, options: WsAcceptOptions) => WsSession;

/**
 * Where `WsBroker.accept` finds the upgrade host's `adopt`. The host depends on the broker (through the lifecycle),
 * so the broker cannot inject it: the host hands `adopt` in here when it is built.
 */
@Injectable()
export class SessionAcceptor {
  private adopt: Adopt | undefined;

  /** @internal Called once by the upgrade host. */
  use(adopt: Adopt): void {
    this.adopt = adopt;
  }

  accept(ws: object, request: IncomingMessage, options: WsAcceptOptions): WsSession {
    if (!this.adopt) throw new WsAcceptError('closed', 'WsModule has no upgrade host running');
    return this.adopt(ws, request, options);
  }
}
