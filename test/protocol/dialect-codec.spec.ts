import { DialectCodec } from '../../lib/protocol/dialect.codec.js';
import { resolveDialect } from '../../lib/protocol/envelope-dialect.js';
import { JsonCodec } from '../../lib/protocol/json.codec.js';
import { MsgpackCodec } from '../../lib/protocol/msgpack.codec.js';

const envelope = { code: 0, name: 'x', data: { a: 1 }, text: '', time: 1770000000, id: 7 };

describe('DialectCodec', () => {
  it('writes JSON under the dialect names, in wsrv order, and its text on success', () => {
    const codec = new DialectCodec(new JsonCodec(), resolveDialect('wsrv')!);
    expect(codec.encode(envelope).toString()).toBe('{"cmd":"x","seqno":7,"status":0,"msg":"ok","data":{"a":1}}');
    expect(codec.encode({ ...envelope, code: 400, text: 'bad', id: undefined, data: undefined }).toString()).toBe('{"cmd":"x","status":400,"msg":"bad","data":null}');
  });

  it('escapes what it writes like JSON.stringify, names included', () => {
    const codec = new DialectCodec(new JsonCodec(), resolveDialect({ name: 'n$', time: 't-1' })!);
    const bytes = codec.encode({ ...envelope, name: 'a"b\n', text: 'é\u2028' });
    expect(JSON.parse(bytes.toString())).toEqual({ n$: 'a"b\n', id: 7, code: 0, text: 'é\u2028', data: { a: 1 }, 't-1': 1770000000 });
  });

  it('gives msgpack the same fields', async () => {
    const codec = new DialectCodec(new MsgpackCodec(), resolveDialect('wsrv')!);
    const { decode } = await import('@msgpack/msgpack');
    expect(decode(codec.encode(envelope))).toEqual({ cmd: 'x', seqno: 7, status: 0, msg: 'ok', data: { a: 1 } });
  });
});
