import { isUtf8 } from 'node:buffer';
import type { WsCodec } from './codec.interface.js';
import type { OutboundEnvelope } from './outbound-envelope.js';

/** The default codec. Outbound JSON is assembled by hand: the field order is fixed and there is no object to copy. */
export class JsonCodec implements WsCodec {
  readonly name = 'json';

  decode(frame: Buffer, isBinary: boolean): unknown {
    // ws already checked text frames; a binary frame is only read as JSON when it is valid UTF-8.
    if (isBinary && !isUtf8(frame)) throw new SyntaxError('binary frame is not UTF-8 text');
    return JSON.parse(frame.toString('utf8'));
  }

  encode(e: OutboundEnvelope): Buffer {
    const data = e.data === undefined ? 'null' : JSON.stringify(e.data);
    let json = `{"code":${e.code},"name":${JSON.stringify(e.name)},"data":${data ?? 'null'},"text":${JSON.stringify(e.text)},"time":${e.time}`;
    if (e.id !== undefined) json += `,"id":${JSON.stringify(e.id)}`;
    return Buffer.from(json + '}');
  }
}
