import { keySlot } from '../../lib/cluster/redis/key-slot.js';

describe('keySlot', () => {
  it('is CLUSTER KEYSLOT: CRC16 modulo 16384', () => {
    // Values from Redis' cluster specification and `redis-cli CLUSTER KEYSLOT`.
    expect(keySlot('123456789')).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('ws:_ws.dispatch')).toBe(keySlot('ws:_ws.dispatch'));
  });

  it('hashes only the hash tag when there is a non-empty one', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'.slice(0)));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar')); // an empty first tag: the whole name counts
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
  });
});
