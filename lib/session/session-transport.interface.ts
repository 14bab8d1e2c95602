/**
 * What a session needs from its socket. `session/` never imports `ws`: the adapter supplies this,
 * which keeps sessions, queues and the broker testable and transport-neutral.
 */
export interface SessionTransport {
  readonly isOpen: boolean;
  /** Bytes handed to the socket but not yet on the wire. */
  readonly bufferedAmount: number;
  send(bytes: Buffer, binary: boolean, done?: (err?: Error) => void): void;
  /** Holds writes until `uncork()`, so several frames leave in one TCP write. Optional. */
  cork?(): void;
  uncork?(): void;
  /** A protocol-level ping; the peer's pong comes back through the adapter. */
  ping(): void;
  close(code: number, reason?: string): void;
  terminate(): void;
}
