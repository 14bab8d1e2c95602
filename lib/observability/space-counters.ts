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
  /** Messages waiting in send queues now (derived at snapshot time). */
  queued = 0;
  /** Messages discarded by a full queue, evicted low-priority ones included, or left queued when a session closed. */
  dropped = 0;
  /** Sessions closed with 1013 because their queue was full under the `close` policy. */
  slowClosed = 0;
  /** Sessions cut off because a write could not complete within writeTimeout. */
  writeTimeouts = 0;
  /** Sessions terminated because the peer was silent for readTimeout. */
  readTimeouts = 0;
  /** Messages answered 429. */
  rateLimited = 0;
  /** Upgrades refused with 503 because of maxConnections. */
  refused = 0;
  /** Packets published to other nodes. */
  clusterPublished = 0;
  /** Cross-node publishes that failed (Redis away): at-most-once between nodes. */
  clusterFailures = 0;
  /** Valid packets received from other nodes. */
  clusterReceived = 0;
  /** Packets from Redis refused as malformed, forged or oversize (counted in the total only). */
  clusterRejected = 0;
  /** Packets that never arrived from another node, seen as holes in its sequence numbers. */
  seqGaps = 0;
  /** Sessions a client got back with its resume token (option `resume`). */
  resumed = 0;
  /** Resume tokens refused (unknown, expired, overflowed, another user's): answered with a 410 welcome. */
  resumeFailures = 0;
  /** bytesIn / messagesIn (derived at snapshot time). */
  averageSizeIn = 0;
  /** bytesOut / messagesOut (derived at snapshot time). */
  averageSizeOut = 0;
}
