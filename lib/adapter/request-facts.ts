import type { IncomingMessage } from 'node:http';
import type { WsRequestFacts } from '../session/ws-session.js';

/** Splits `/path?query` without building a URL object for every upgrade. */
export function splitUrl(url: string | undefined): { path: string; search: string } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? { path: raw, search: '' } : { path: raw.slice(0, q), search: raw.slice(q + 1) };
}

/**
 * The facts of an upgrade request a session keeps: path, query, the allowed headers, the peer address, the host,
 * and the params `resolveSpace` read from the path.
 */
export function requestFacts(
  req: IncomingMessage,
  path: string,
  search: string,
  keepHeaders: readonly string[],
  params: Record<string, string> = {},
): WsRequestFacts {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    if (key !== '__proto__') query[key] = value;
  }
  const headers: Record<string, string> = {};
  for (const name of keepHeaders) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { path, query, headers, remoteAddress: req.socket?.remoteAddress, host: req.headers.host, params };
}
