import { Injectable } from '@nestjs/common';
import { FanOut } from '../broker/fan-out.js';
import { WsBroker } from '../broker/ws.broker.js';
import type { WsContextWiring } from '../context/context-wiring.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsSetting } from '../interfaces/ws-message-options.interface.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { WsSession } from '../session/ws-session.js';

/** The services every `WsContext` is built with: the broker, the reply path (the fan-out) and the registry. */
@Injectable()
export class ContextWiring implements WsContextWiring {
  constructor(
    readonly broker: WsBroker,
    private readonly fanOut: FanOut,
    private readonly registry: WsRegistry,
  ) {}

  reply(session: WsSession, name: string, data: unknown, options: WsSendOptions | undefined, id: string | number | undefined): Promise<Delivery> {
    return this.fanOut.toSession(session, { name, data, options, id });
  }

  settingOf(space: string, name: string, kind: 'message' | 'command'): WsSetting | undefined {
    const table = this.registry.table(space);
    return (kind === 'message' ? table.messages.get(name) : table.commands.get(name))?.options.setting;
  }
}
