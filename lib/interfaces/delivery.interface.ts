import type { WsPriority, WsQueuePolicy } from './ws-module-options.interface.js';

/**
 * The outcome of a send, counted on this node. `hit` = `success` + `failed` + `pending`.
 * @publicApi
 */
export interface Delivery {
  /** Sessions on this node the send addressed. */
  hit: number;
  /** Of those, how many accepted the message for writing. */
  success: number;
  /** Of those, how many did not (closed, closing, refused by a full queue). */
  failed: number;
  /**
   * Of those, how many wait for room in a full queue under `block`. Only a send to many counts here (it never
   * waits on one recipient); `push` and `reply` wait for the room instead, so theirs is always 0.
   */
  pending: number;
  /** The first reason a session failed, when one did. */
  firstError?: Error;
  /** Other nodes the dispatch reached (0 on a single node). */
  nodes: number;
  /**
   * Resolves when the pending recipients have been written into their queue or timed out (`writeTimeout`, or their
   * session closed): to a copy of this delivery with them counted in `success`/`failed` and `pending: 0`. At
   * once (to this delivery) when nothing was pending. Never rejects. Not serialised.
   */
  readonly settled: Promise<Delivery>;
}

/** A `Delivery` as JSON (what an HTTP controller returning one sends): `firstError` is its message. @publicApi */
export interface DeliveryJson {
  hit: number;
  success: number;
  failed: number;
  pending: number;
  nodes: number;
  firstError?: string;
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
  /** Sessions the send skips ("everyone in the room but me"), on every node. Ignored by `reply`. */
  except?: string | readonly string[];
}
