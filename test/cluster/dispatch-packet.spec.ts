import { ANY_SPACE, MAX_BATCH_PACKETS, MAX_PACKET_TARGETS, packetDefect, readPackets } from '../../lib/cluster/dispatch-packet.js';

const SPACES = new Set(['default', 'custom']);
const base = { space: 'default', msg: 'note', node: 'n1', seq: 0 };

describe('packetDefect: a packet from Redis is untrusted input', () => {
  it('accepts a sound packet of every op', () => {
    const sound = [
      { ...base, op: 'push', sid: 'n2.1' },
      { ...base, op: 'push', sid: 'n2.1', space: ANY_SPACE },
      { ...base, op: 'push_many', sids: ['n2.1', 'n2.2'], space: ANY_SPACE },
      { ...base, op: 'push_user', uid: 'u', except: ['n1.1'] },
      { ...base, op: 'push_users', uids: ['u', 'v'], except: [] },
      { ...base, op: 'broadcast', data: { any: ['thing'] }, except: ['n1.1'] },
      { ...base, op: 'groupcast', gid: 'g', space: 'custom', seq: Number.MAX_SAFE_INTEGER },
    ];
    for (const packet of sound) expect(packetDefect(packet, SPACES), JSON.stringify(packet)).toBeUndefined();
  });

  it('refuses what is not an object, and any field it does not know', () => {
    for (const value of [null, 'x', 1, [base]]) expect(packetDefect(value, SPACES)).toBe('not an object');
    expect(packetDefect({ ...base, op: 'broadcast', extra: 1 }, SPACES)).toBe('unknown field "extra"');
    expect(packetDefect(JSON.parse('{"op":"broadcast","space":"default","msg":"m","node":"n","seq":0,"__proto__":{}}'), SPACES)).toBe(
      'unknown field "__proto__"',
    );
  });

  it('refuses an unknown op or space; "any space" only for pushes by session id', () => {
    // Names every object inherits are not ops: a forged packet with one was accepted, and delivered as a broadcast.
    for (const op of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(packetDefect({ ...base, op }, SPACES)).toBe(`unknown op "${op}"`);
    }
    expect(packetDefect({ ...base, op: 'broadcast', space: 'nope' }, SPACES)).toBe('unknown space "nope"');
    expect(packetDefect({ ...base, op: 'broadcast', space: ANY_SPACE }, SPACES)).toBe(`unknown space "${ANY_SPACE}"`);
    expect(packetDefect({ ...base, op: 'push_user', uid: 'u', space: ANY_SPACE }, SPACES)).toBe(`unknown space "${ANY_SPACE}"`);
  });

  it('refuses a bad msg, node or seq', () => {
    const broadcast = { ...base, op: 'broadcast' };
    expect(packetDefect({ ...broadcast, msg: '' }, SPACES)).toBe('msg must be a non-empty string');
    expect(packetDefect({ ...broadcast, msg: 'm'.repeat(257) }, SPACES)).toBe('msg must be a non-empty string');
    expect(packetDefect({ ...broadcast, node: 'n'.repeat(65) }, SPACES)).toBe('node must be a non-empty string');
    for (const seq of [-1, 1.5, '1', Number.MAX_SAFE_INTEGER + 1]) {
      expect(packetDefect({ ...broadcast, seq }, SPACES)).toBe('seq must be a non-negative integer');
    }
  });

  it('asks each op for its own target and refuses the others', () => {
    expect(packetDefect({ ...base, op: 'push' }, SPACES)).toBe('push needs a non-empty "sid"');
    expect(packetDefect({ ...base, op: 'groupcast', gid: '' }, SPACES)).toBe('groupcast needs a non-empty "gid"');
    expect(packetDefect({ ...base, op: 'push_user', uid: 'u'.repeat(513) }, SPACES)).toBe('push_user needs a non-empty "uid"');
    expect(packetDefect({ ...base, op: 'broadcast', gid: 'g' }, SPACES)).toBe('broadcast takes no "gid"');
    expect(packetDefect({ ...base, op: 'push', sid: 's', uids: ['u'] }, SPACES)).toBe('push takes no "uids"');
  });

  it('bounds id lists: not empty when they are the target, non-empty strings, at most MAX_PACKET_TARGETS', () => {
    const needs = `push_many needs "sids": 1-${MAX_PACKET_TARGETS} non-empty strings`;
    expect(packetDefect({ ...base, op: 'push_many', sids: [] }, SPACES)).toBe(needs);
    expect(packetDefect({ ...base, op: 'push_many', sids: ['ok', ''] }, SPACES)).toBe(needs);
    expect(packetDefect({ ...base, op: 'push_many', sids: 'n2.1' }, SPACES)).toBe(needs);
    expect(packetDefect({ ...base, op: 'push_many', sids: Array(MAX_PACKET_TARGETS + 1).fill('s') }, SPACES)).toBe(needs);
    expect(packetDefect({ ...base, op: 'push_users', uids: [1] }, SPACES)).toMatch(/^push_users needs "uids"/);
  });

  it('takes except only on ops whose targets the sender cannot list, and checks it like a list', () => {
    expect(packetDefect({ ...base, op: 'push', sid: 's', except: ['x'] }, SPACES)).toBe('push takes no "except"');
    expect(packetDefect({ ...base, op: 'push_many', sids: ['s'], except: ['x'] }, SPACES)).toBe('push_many takes no "except"');
    expect(packetDefect({ ...base, op: 'broadcast', except: [''] }, SPACES)).toMatch(/^"except" must be/);
    expect(packetDefect({ ...base, op: 'broadcast', except: 'x' }, SPACES)).toMatch(/^"except" must be/);
  });
});

describe('packetDefect and readPackets: a batch is checked whole, every packet in it', () => {
  const packets = [
    { op: 'broadcast', space: 'default', msg: 'a' },
    { op: 'push_user', space: 'custom', uid: 'u', msg: 'b', data: { x: 1 } },
    { op: 'presence', space: 'default', uids: ['u'] },
  ];
  const batch = { op: 'batch', node: 'n1', seq: 41, packets };

  it('accepts a sound batch and reads its packets in order, each with the batch\'s node and its own seq', () => {
    expect(packetDefect(batch, SPACES)).toBeUndefined();
    expect(readPackets(batch, SPACES)).toEqual(packets.map((p, i) => ({ ...p, node: 'n1', seq: 41 + i })));
  });

  it('reads a lone packet as a list of one', () => {
    const lone = { ...base, op: 'broadcast' };
    expect(readPackets(lone, SPACES)).toEqual([lone]);
  });

  it('refuses a batch with a field it does not know, a bad node, or a seq range past safe integers', () => {
    expect(packetDefect({ ...batch, space: 'default' }, SPACES)).toBe('batch takes no "space"');
    expect(packetDefect(JSON.parse('{"op":"batch","node":"n","seq":0,"packets":[{"op":"broadcast","space":"default","msg":"m"}],"__proto__":{}}'), SPACES)).toBe(
      'batch takes no "__proto__"',
    );
    expect(packetDefect({ ...batch, node: '' }, SPACES)).toBe('node must be a non-empty string');
    for (const seq of [-1, 0.5, '1', Number.MAX_SAFE_INTEGER - 1]) {
      expect(packetDefect({ ...batch, seq }, SPACES), String(seq)).toBe('seq must be a non-negative integer');
    }
    expect(packetDefect({ ...batch, seq: Number.MAX_SAFE_INTEGER - 2 }, SPACES)).toBeUndefined();
  });

  it(`holds 1-${MAX_BATCH_PACKETS} packets in a list`, () => {
    const needs = `a batch holds 1-${MAX_BATCH_PACKETS} packets`;
    for (const list of [[], {}, 'x', Array(MAX_BATCH_PACKETS + 1).fill(packets[0])]) expect(packetDefect({ ...batch, packets: list }, SPACES)).toBe(needs);
    expect(packetDefect({ ...batch, packets: Array(MAX_BATCH_PACKETS).fill(packets[0]) }, SPACES)).toBeUndefined();
  });

  it('refuses the whole batch for one bad packet, and says which', () => {
    const bad = (packet: unknown) => packetDefect({ ...batch, packets: [packets[0], packet, packets[1]] }, SPACES);
    expect(bad({ op: 'broadcast', space: 'default' })).toBe('batch packet 1: msg must be a non-empty string');
    expect(bad({ ...packets[0], extra: 1 })).toBe('batch packet 1: unknown field "extra"');
    expect(bad({ ...packets[0], op: 'toString' })).toBe('batch packet 1: unknown op "toString"');
    for (const value of [null, 'x', 1, [packets[0]]]) expect(bad(value)).toBe('batch packet 1: not an object');
  });

  it('lets no packet name its own node or seq: the batch says who sent it and in what order', () => {
    const own = 'batch packet 0: takes no "node" or "seq" of its own';
    expect(packetDefect({ ...batch, packets: [{ ...packets[0], node: 'n1' }] }, SPACES)).toBe(own);
    expect(packetDefect({ ...batch, packets: [{ ...packets[0], seq: 41 }] }, SPACES)).toBe(own);
  });

  it('does not nest batches', () => {
    expect(packetDefect({ ...batch, packets: [{ op: 'batch', packets }] }, SPACES)).toBe('batch packet 0: unknown field "packets"');
    expect(packetDefect({ ...batch, packets: [{ op: 'batch', space: 'default', msg: 'm' }] }, SPACES)).toBe('batch packet 0: unknown op "batch"');
  });

  it('refuses a packet carrying __proto__, and never takes it as the prototype', () => {
    const forged = JSON.parse('{"op":"batch","node":"n","seq":0,"packets":[{"op":"broadcast","space":"default","msg":"m","__proto__":{"polluted":true}}]}');
    expect(packetDefect(forged, SPACES)).toBe('batch packet 0: unknown field "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
