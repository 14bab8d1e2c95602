/**
 * Scratch space that one send shares between its recipients, where a transport keeps what it prepared once for
 * all of them (the `ws` transport: the WebSocket frame of `bytes`). Made per send and dropped with it, so nothing
 * outlives the send or is shared between apps; the transport checks `bytes` (a send hook may replace them).
 */
export interface FrameCache {
  bytes?: Buffer;
  binary?: boolean;
  frame?: unknown;
}

/**
 * What a session needs from its socket. `session/` never imports `ws`: the adapter supplies this,
 * which keeps sessions, queues and the broker testable and transport-neutral.
 */
export interface SessionTransport {
  readonly isOpen: boolean;
  /** Bytes handed to the socket but not yet on the wire. */
  readonly bufferedAmount: number;
  /** `frames`: the send's cache, when the same bytes go to several sessions. */
  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void, frames?: FrameCache): void;
  /** Holds writes until `uncork()`, so several frames leave in one TCP write. Optional. */
  cork?(): void;
  uncork?(): void;
  /** A protocol-level ping; the peer's pong comes back through the adapter. */
  ping(): void;
  close(code: number, reason?: string): void;
  terminate(): void;
}
