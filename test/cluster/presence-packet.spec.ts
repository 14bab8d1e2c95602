import { packetDefect } from '../../lib/cluster/dispatch-packet.js';

const SPACES = new Set(['default']);
const base = { space: 'default', node: 'n1', seq: 1 };

describe('Packets of the presence directory and of interest routing', () => {
  it('accepts a presence packet naming new users and groups, or neither (all routes)', () => {
    expect(packetDefect({ op: 'presence', ...base, uids: ['u1'], gids: ['g1'] }, SPACES)).toBeUndefined();
    expect(packetDefect({ op: 'presence', ...base }, SPACES)).toBeUndefined();
  });

  it.each([
    ['a message name', { msg: 'x' }, 'presence takes no "msg"'],
    ['data', { data: 1 }, 'presence takes no "data"'],
    ['an empty uid list', { uids: [] }, 'presence "uids"'],
    ['a gid that is not a string', { gids: [1] }, 'presence "gids"'],
  ])('refuses a presence packet with %s', (_case, extra, reason) => {
    expect(packetDefect({ op: 'presence', ...base, ...extra }, SPACES)).toContain(reason);
  });

  it('takes "to" on push_user and groupcast only, and "gids" on presence only', () => {
    expect(packetDefect({ op: 'push_user', ...base, msg: 'm', uid: 'u', to: 'n2' }, SPACES)).toBeUndefined();
    expect(packetDefect({ op: 'groupcast', ...base, msg: 'm', gid: 'g', to: 'n2' }, SPACES)).toBeUndefined();
    expect(packetDefect({ op: 'broadcast', ...base, msg: 'm', to: 'n2' }, SPACES)).toContain('takes no "to"');
    expect(packetDefect({ op: 'push_user', ...base, msg: 'm', uid: 'u', to: '' }, SPACES)).toContain('"to"');
    expect(packetDefect({ op: 'groupcast', ...base, msg: 'm', gid: 'g', gids: ['g'] }, SPACES)).toContain('takes no "gids"');
  });
});
