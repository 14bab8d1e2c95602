import { WebSocket } from 'ws';

/** One frame as a raw client saw it: its kind and its payload (text decoded, binary as bytes). */
export interface RawFrame {
  binary: boolean;
  data: string | Buffer;
}

/** A real `ws` client for raw spaces: keeps every frame with its kind, and waits for the next one. */
export class RawClient {
  readonly frames: RawFrame[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.frames.push({ binary: isBinary, data: isBinary ? data : data.toString('utf8') });
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => (resolve({ code, reason: reason.toString() }), this.wake?.())));
  }

  static connect(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const client = new RawClient(new WebSocket(url));
      client.socket.once('open', () => resolve(client));
      client.socket.once('error', reject);
    });
  }

  /** The next frame not yet taken; fails after `timeoutMs` instead of hanging. */
  async next(timeoutMs = 3000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.taken >= this.frames.length) {
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) throw new Error(`no frame within ${timeoutMs} ms; got ${this.frames.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    return this.frames[this.taken++];
  }

  send(data: string | Buffer): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  /** Sends a text frame the echo answers, and returns every frame that came before its echo: nothing else is coming. */
  async fence(): Promise<RawFrame[]> {
    const marker = `fence-${Math.random()}`;
    this.send(marker);
    const before: RawFrame[] = [];
    for (;;) {
      const frame = await this.next();
      if (frame.data === marker) return before;
      before.push(frame);
    }
  }

  terminate(): Promise<unknown> {
    this.socket.terminate();
    return this.closed;
  }
}
