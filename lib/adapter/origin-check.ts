import type { IncomingMessage } from 'node:http';
import type { WsAllowedOrigins } from '../interfaces/ws-authenticator.interface.js';

/** Decides from an upgrade request's `Origin` whether a browser page may open this socket. */
export type OriginCheck = (request: IncomingMessage) => boolean;

/**
 * Cross-site WebSocket hijacking protection. Browsers send cookies with a WebSocket upgrade to any site, and the
 * Origin header is the only thing telling a page of ours from a page of someone else's; so by default a browser
 * upgrade is accepted only when its Origin is the host it connects to. Clients that send no Origin (servers,
 * mobile apps, CLI tools) are not browsers and pass.
 */
export function originCheck(allowed: WsAllowedOrigins | undefined): OriginCheck {
  if (allowed === '*') return () => true;
  if (typeof allowed === 'function') return (request) => allowed(request.headers.origin, request);
  const listed = new Set(allowed ?? []);
  return (request) => {
    const origin = request.headers.origin;
    return origin === undefined || listed.has(origin) || sameOrigin(origin, request.headers.host);
  };
}

/** The Origin's host and port are the request's Host (default ports normalized away, case-insensitive). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const from = new URL(origin);
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage are no origin of ours
  }
}
