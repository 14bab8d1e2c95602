/**
 * Whether a socket's close leaves its session to be resumed (option `resume`). Parked: 1001 (going away), 1006
 * (no close frame: a network drop, a terminated client, the server's read or write timeout), 1011-1014, and the
 * codes 3000-4999 a client sends (a browser client gives up on a dead socket with one). Clean: 1000, and a close
 * frame without a code (1005). Never parked: the protocol violations `ws` closes with itself (1002, 1003,
 * 1007-1010), and every close the server started (checked by the caller).
 */
export function leavesSessionParked(code: number): boolean {
  if (code === 1001 || code === 1006) return true;
  if (code >= 1011 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}
