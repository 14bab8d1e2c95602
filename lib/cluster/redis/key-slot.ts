/** CRC16-CCITT (XMODEM) table, the checksum Redis Cluster hashes keys and sharded channels with. */
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/**
 * The Redis Cluster slot (0–16383) of a key or sharded channel, as `CLUSTER KEYSLOT` computes it: CRC16 of the
 * name, or of its hash tag (what lies between the first `{` and the next `}`, when not empty), modulo 16384.
 * The subscriber needs it to know which shard to SSUBSCRIBE on; ioredis routes the publishes itself.
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc & 0x3fff;
}
