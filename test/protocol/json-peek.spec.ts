import { PEEK_BYTES, peekJsonHead, UNREADABLE } from '../../lib/protocol/json-peek.js';

const peek = (text: string, limit?: number) => peekJsonHead(Buffer.from(text), limit);

describe('peekJsonHead: the envelope head of a frame, without parsing the rest', () => {
  it('reads the top-level name, msg, id and seqno, and only those', () => {
    expect(peek('{"name":"a.b","id":"r1","data":{"x":1}}')).toEqual({ name: 'a.b', id: 'r1' });
    expect(peek(' { "msg" : "m" , "seqno" : -12 , "other": true } ')).toEqual({ msg: 'm', seqno: -12 });
  });

  it('skips nested values, so an "id" inside data is never taken for the envelope\'s', () => {
    expect(peek('{"data":{"id":"inner","list":[{"name":"x"}]},"name":"outer","id":2}')).toEqual({ name: 'outer', id: 2 });
  });

  it('reads strings with escapes as JSON.parse does, and skips quotes and brackets inside strings', () => {
    expect(peek('{"data":"a \\" } ] { [","name":"n\\u0061me","id":"q\\"1"}')).toEqual({ name: 'name', id: 'q"1' });
    expect(peek('{"n\\u0061me":"escaped key"}')).toEqual({ name: 'escaped key' });
  });

  it('marks a wanted key whose value is neither a string nor a number as unreadable', () => {
    expect(peek('{"id":{"a":1},"name":null}')).toEqual({ id: UNREADABLE, name: UNREADABLE });
  });

  it('returns what it found before a syntax error', () => {
    expect(peek('{"name":"x","id":"r","data":{"unterminated')).toEqual({ name: 'x', id: 'r' });
    expect(peek('{"name":"x" "id":"r"}')).toEqual({ name: 'x' });
    expect(peek('not json')).toEqual({});
    expect(peek('["name","x"]')).toEqual({});
  });

  it('never reads past its limit, whatever the frame size', () => {
    const big = JSON.stringify({ name: 'x', data: 'y'.repeat(PEEK_BYTES), id: 'late' });
    expect(peek(big)).toEqual({ name: 'x' }); // the id after a large data is out of reach
    expect(peek('{"name":"x","id":"r1"}', 10)).toEqual({});
  });
});
