/**
 * Plain numbers, one object per space plus one for the total, bumped in place on the hot path.
 * Units are messages, bytes and sessions; nothing is sampled.
 */
export class SpaceCounters {
  /** Open sessions (derived at snapshot time). */
  connections = 0;
  /** Distinct bound users (derived at snapshot time). */
  users = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Inbound frames that could not be handled: parse failures, bad envelopes, socket errors. */
  receiveFailures = 0;
  /** Sends that did not reach a socket: closed sessions, socket errors, refused by a hook. */
  sendFailures = 0;
  /** Of the receive failures, the ones the client caused by sending malformed frames. */
  parseFailures = 0;
  /** Exceptions in handlers, filters and hooks. */
  handlerErrors = 0;
}
