import type { WsSendOptions } from '../interfaces/delivery.interface.js';
import type { Outgoing } from './fan-out.js';

/** What `pushRaw`, `broadcastRaw` and `groupcastRaw` send: a string goes as a text frame, bytes as a binary frame. */
export type WsRawData = string | Buffer | Uint8Array;

/** How a raw frame crosses Redis: packets are JSON, so bytes travel as base64 and a text frame as its text. */
export interface RawPacketFields {
  raw: 'text' | 'base64';
  data: string;
}

/**
 * The outgoing form of a raw send: its bytes, made once (a string's UTF-8 bytes, a Buffer as it is, a Uint8Array as
 * a Buffer view of it), and its frame type. Anything else is a mistake of the caller, refused before any send.
 */
export function rawOutgoing(data: WsRawData, options: WsSendOptions | undefined, except?: ReadonlySet<string>): Outgoing {
  if (typeof data === 'string') return { name: '', data, options, except, bytes: Buffer.from(data), raw: { binary: false } };
  if (data instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return { name: '', data: bytes, options, except, bytes, raw: { binary: true } };
  }
  throw new TypeError(`a raw send takes a string (text frame) or a Buffer (binary frame), not ${describe(data)}`);
}

/** A raw outgoing as packet fields. */
export function rawPacketFields(out: Outgoing): RawPacketFields {
  return out.raw!.binary ? { raw: 'base64', data: out.bytes!.toString('base64') } : { raw: 'text', data: out.data as string };
}

/** The outgoing form of a raw packet another node sent (already checked by `readPackets`). */
export function rawFromPacket(fields: RawPacketFields, except: ReadonlySet<string> | undefined): Outgoing {
  return rawOutgoing(fields.raw === 'base64' ? Buffer.from(fields.data, 'base64') : fields.data, undefined, except);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
