import type { WsCodecName } from '../interfaces/ws-module-options.interface.js';
import type { WsCodec } from './codec.interface.js';
import { JsonCodec } from './json.codec.js';
import { MsgpackCodec } from './msgpack.codec.js';

export function createCodec(name: WsCodecName): WsCodec {
  return name === 'msgpack' ? new MsgpackCodec() : new JsonCodec();
}
