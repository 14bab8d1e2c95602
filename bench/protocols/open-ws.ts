import { WebSocket } from 'ws';

/** Opens a plain `ws` client, rejecting on error or when it takes longer than `timeoutMs`. */
export function openWs(url: string, timeoutMs: number, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // No compression offer: every server under test runs without permessage-deflate.
    const socket = new WebSocket(url, { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
