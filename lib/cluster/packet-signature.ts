import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signature adds to a message: the HMAC-SHA256 in hex. */
export const SIGNATURE_CHARS = 64;

/**
 * With `redis.secret`, a message on the wire is the HMAC-SHA256 of the serialized packet under the secret, in
 * hex (64 characters), followed by the serialized packet itself. Signing the exact bytes means no
 * re-serialization on the way in, and a refusal costs one HMAC, before anything is parsed.
 */
export function signPacket(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex') + body;
}

/** The serialized packet of a signed message, or `undefined` when its signature is missing or wrong. */
export function verifyPacket(secret: string, message: string): string | undefined {
  if (message.length < SIGNATURE_CHARS) return undefined;
  const given = Buffer.from(message.slice(0, SIGNATURE_CHARS), 'hex');
  if (given.length !== SIGNATURE_CHARS / 2) return undefined; // not hex
  const body = message.slice(SIGNATURE_CHARS);
  return timingSafeEqual(given, createHmac('sha256', secret).update(body).digest()) ? body : undefined;
}
