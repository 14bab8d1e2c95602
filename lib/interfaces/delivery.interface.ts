import type { WsPriority, WsQueuePolicy } from './ws-module-options.interface.js';

/**
 * The outcome of a send, counted on this node.
 * @publicApi
 */
export interface Delivery {
  /** Sessions on this node the send addressed. */
  hit: number;
  /** Of those, how many accepted the message for writing. */
  success: number;
  /** Of those, how many did not (closed, closing, refused by a full queue). */
  failed: number;
  /** The first reason a session failed, when one did. */
  firstError?: Error;
  /** Other nodes the dispatch reached (0 on a single node). */
  nodes: number;
}

/** Options every send takes. @publicApi */
export interface WsSendOptions {
  /** Target space. @default the default space (WsBroker), the session's space (WsContext) */
  space?: string;
  /** Overrides the command's lane. */
  priority?: WsPriority;
  /** Overrides the command's queue policy. */
  queuePolicy?: WsQueuePolicy;
  /** Result code of the envelope. @default 0 */
  code?: number;
  /** Text of the envelope. @default '' */
  text?: string;
}
