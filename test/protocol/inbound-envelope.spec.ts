import { EnvelopeError, MAX_ID_LENGTH, MAX_NAME_LENGTH, readHead, toEnvelope } from '../../lib/protocol/inbound-envelope.js';

describe('toEnvelope', () => {
  it('reads name, data and id', () => {
    expect(toEnvelope({ name: 'demo.echo', data: { text: 'hi' }, id: 'r1' })).toEqual({ name: 'demo.echo', data: { text: 'hi' }, id: 'r1' });
  });

  it('takes msg for name, args for data and seqno for id; the first names win when both are there', () => {
    expect(toEnvelope({ msg: 'm', args: [1], seqno: 7 })).toEqual({ name: 'm', data: [1], id: 7 });
    expect(toEnvelope({ name: 'n', msg: 'm', data: 'd', args: 'a', id: 'i', seqno: 's' })).toEqual({ name: 'n', data: 'd', id: 'i' });
  });

  it('folds the other top-level fields into the arguments, leaving out envelope and prototype keys', () => {
    const frame = JSON.parse('{"name":"move","seqno":1,"x":1,"y":{"z":2},"__proto__":{"p":1},"constructor":3}');
    expect(toEnvelope(frame)).toEqual({ name: 'move', data: { x: 1, y: { z: 2 } }, id: 1 });
  });

  it('has no arguments (undefined) when there are none or data is null', () => {
    expect(toEnvelope({ name: 'a' })).toEqual({ name: 'a', data: undefined, id: undefined });
    expect(toEnvelope({ name: 'a', data: null })).toEqual({ name: 'a', data: undefined, id: undefined });
    expect(toEnvelope({ name: 'a', data: 0 })).toMatchObject({ data: 0 });
  });

  it('refuses what is not an object', () => {
    for (const value of [null, 'name', 42, [{ name: 'a' }]]) {
      expect(toEnvelope(value)).toEqual(new EnvelopeError('the message must be a JSON object'));
    }
  });

  it('refuses a missing, empty, non-string or too long name, keeping a valid id for the reply', () => {
    for (const name of [undefined, '', 5, 'n'.repeat(MAX_NAME_LENGTH + 1)]) {
      const error = toEnvelope({ name, id: 'keep' });
      expect(error).toBeInstanceOf(EnvelopeError);
      expect(error).toMatchObject({ reason: expect.stringContaining('"name" must be'), id: 'keep', name: '' });
    }
    expect(toEnvelope({ name: 'n'.repeat(MAX_NAME_LENGTH) })).toMatchObject({ name: 'n'.repeat(MAX_NAME_LENGTH) });
  });

  it('refuses a bad id before a bad name, without the id but with a valid name', () => {
    const badIds = [1.5, Number.MAX_SAFE_INTEGER + 2, 'i'.repeat(MAX_ID_LENGTH + 1), true, {}];
    for (const id of badIds) {
      expect(toEnvelope({ name: 'kept', id })).toMatchObject({ reason: expect.stringContaining('"id" must be'), id: undefined, name: 'kept' });
    }
    expect(toEnvelope({ id: 1.5 })).toMatchObject({ reason: expect.stringContaining('"id" must be'), name: '' });
  });

  it('counts characters, not UTF-16 units: a name of astral characters fits as written', () => {
    const astral = '😀'.repeat(MAX_NAME_LENGTH); // 512 code units, 256 characters
    expect(toEnvelope({ name: astral })).toMatchObject({ name: astral });
    expect(toEnvelope({ name: `${astral}x` })).toBeInstanceOf(EnvelopeError);
    expect(readHead({ name: 'n', id: '😀'.repeat(MAX_ID_LENGTH) })).toMatchObject({ id: '😀'.repeat(MAX_ID_LENGTH) });
  });
});

describe('readHead', () => {
  it('reads each of id and name on its own, saying what is wrong with either', () => {
    expect(readHead({ name: 'n', id: -3 })).toEqual({ name: 'n', id: -3 });
    expect(readHead({ id: 'x' })).toEqual({ id: 'x', nameProblem: expect.stringContaining('"name"') });
    expect(readHead({ name: 'n', seqno: 0.5 })).toEqual({ name: 'n', idProblem: expect.stringContaining('"id"') });
    expect(readHead({ name: 'n' })).toEqual({ name: 'n' });
  });
});
