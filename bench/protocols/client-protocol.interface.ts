/** What a load worker does with one connection, whatever the wire protocol underneath. */
export interface BenchLink {
  send(event: string, data: unknown): void;
  close(): void;
}

export interface BenchLinkEvents {
  /** An inbound message by name. `failed` is set when the server answered with an error. */
  onEvent(event: string, data: any, failed: boolean): void;
  onClose(): void;
}

/**
 * A client protocol: how to open a connection and name messages on the wire. Every server speaks the same
 * application protocol on top (echo → echo, join {group} → joined, broadcast / groupcast {group} → tick), so
 * the scenarios are written once and each server is driven by its own natural client.
 */
export interface ClientProtocol {
  readonly name: string;
  /** `localAddress`: the source address to connect from (spreading many connections over several). */
  connect(url: string, events: BenchLinkEvents, timeoutMs: number, localAddress?: string): Promise<BenchLink>;
}
