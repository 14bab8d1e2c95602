import { PayloadTooDeepError, sanitizePayload } from '../../lib/validation/sanitize-payload.js';

describe('sanitizePayload', () => {
  it('removes __proto__, constructor and prototype own keys at every level, arrays included', () => {
    const payload = JSON.parse(
      '{"a":1,"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"nested":{"prototype":2,"ok":[{"__proto__":{"y":1},"z":3}]}}',
    );
    sanitizePayload(payload, 10);
    expect(payload).toEqual({ a: 1, nested: { ok: [{ z: 3 }] } });
    expect(Object.hasOwn(payload, '__proto__')).toBe(false);
    expect(Object.hasOwn(payload.nested.ok[0], '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('leaves scalars, null and safe payloads unchanged', () => {
    for (const value of [null, undefined, 0, 'text', true]) expect(() => sanitizePayload(value, 1)).not.toThrow();
    const payload = { a: [1, { b: 'c' }], constructorName: 'kept', proto: 'kept' };
    sanitizePayload(payload, 10);
    expect(payload).toEqual({ a: [1, { b: 'c' }], constructorName: 'kept', proto: 'kept' });
  });

  it('accepts nesting up to maxDepth and refuses one level more, counting arrays as levels', () => {
    expect(() => sanitizePayload({ a: { b: {} } }, 3)).not.toThrow();
    expect(() => sanitizePayload({ a: { b: { c: {} } } }, 3)).toThrow(PayloadTooDeepError);
    expect(() => sanitizePayload([[[]]], 3)).not.toThrow();
    expect(() => sanitizePayload([[[[]]]], 3)).toThrow('message nested deeper than 3 levels');
    expect(() => sanitizePayload({ a: 1 }, 0)).toThrow(PayloadTooDeepError);
  });

  it('refuses a deep payload without recursing past the limit', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep }; // would overflow the stack if walked to the bottom
    const thrown = (() => {
      try {
        sanitizePayload(deep, 64);
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(PayloadTooDeepError);
    expect((thrown as PayloadTooDeepError).limit).toBe(64);
  });
});
