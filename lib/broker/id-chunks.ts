import { MAX_PACKET_TARGETS } from '../cluster/dispatch-packet.js';

/**
 * Splits a list of ids into lists a receiving node accepts: at most `MAX_PACKET_TARGETS` ids, and at most
 * `maxBytes` of JSON each (a packet larger than `maxMessageSize` + 4 KiB is refused on receipt).
 */
export function idChunks(ids: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    const size = Buffer.byteLength(id) + 3; // quotes and comma
    if (chunk.length > 0 && (chunk.length === MAX_PACKET_TARGETS || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(id);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
