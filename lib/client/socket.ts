/**
 * The part of the WHATWG `WebSocket` the client uses. Declared here, not taken from the DOM library or `@types/ws`,
 * so the client's declarations compile in a browser project and in a Node project alike.
 */
export interface WsSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: the browser's, Node's global one, `ws`'s, or any compatible one. @publicApi */
export type WsSocketConstructor = new (url: string) => WsSocketLike;

/** `ws`'s extras, present only when the socket comes from `ws`: protocol pings are visible, and a hard close. */
export interface NodeSocketExtras {
  on?(event: 'ping', listener: () => void): unknown;
  terminate?(): void;
}

export const OPEN = 1;

let loading: Promise<WsSocketConstructor> | undefined;

/**
 * The global `WebSocket` where there is one (browsers, Deno, Bun, Node 22+), else `ws`, imported on first use.
 * The specifier is a variable so that bundlers building for the browser leave the import alone.
 */
export function socketConstructor(): Promise<WsSocketConstructor> {
  const global = (globalThis as { WebSocket?: WsSocketConstructor }).WebSocket;
  if (typeof global === 'function') return Promise.resolve(global);
  const specifier = 'ws';
  loading ??= import(specifier).then(
    (module: { WebSocket?: WsSocketConstructor; default?: WsSocketConstructor }) => (module.WebSocket ?? module.default)!,
    (cause: unknown) => {
      loading = undefined;
      throw new Error(`WsClient: no global WebSocket and the "ws" package could not be imported (npm install ws): ${String(cause)}`);
    },
  );
  return loading;
}

/** Bytes of a binary frame, whatever form the socket hands them in (ArrayBuffer, a view, Node's Buffer). */
export function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
