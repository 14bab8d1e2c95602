import type { WsBroker } from '../broker/ws.broker.js';
import type { Delivery, WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsSetting } from '../interfaces/ws-message-options.interface.js';
import type { WsSession } from '../session/ws-session.js';

/**
 * What a `WsContext` needs beyond the public broker: the reply path (one session, the request's id) and the
 * `setting` lookup. The pipeline builds it once and hands it to every context, so the context imports nothing above it.
 */
export interface WsContextWiring {
  readonly broker: WsBroker;
  /** Sends to one session with the request id of the message being handled. */
  reply(session: WsSession, name: string, data: unknown, options: WsSendOptions | undefined, id: string | number | undefined): Promise<Delivery>;
  /** The `setting` of a message (inbound) or a command (outbound) as `space` resolves `name`. */
  settingOf(space: string, name: string, kind: 'message' | 'command'): WsSetting | undefined;
}
