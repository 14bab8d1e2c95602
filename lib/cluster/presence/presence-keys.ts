/**
 * Where the presence directory lives in Redis. Every key carries the hash tag `{<prefix>:presence}`, so on a Redis
 * Cluster the whole directory sits in one slot and a script or MULTI may touch any of its keys: the directory is
 * small next to the traffic it routes, and one slot keeps each change atomic.
 *
 * - `nodes`: a set of the node ids that may have entries;
 * - `lease:<node>`: the node's epoch, expiring `leaseTtl` after its last heartbeat (a node is live while it exists);
 * - `n:<node>`: per space (encoded), the node's open sessions, anonymous ones included;
 * - `nu:<node>:<space>` / `ng:<node>:<space>`: the node's users / groups in a space, each with its session count;
 * - `u:<space>:<uid>` / `g:<space>:<gid>`: the inverse, node → session count, read to route a send.
 * Spaces are URI-encoded (no ":" inside), node ids have none, and the user or group id comes last, so no two
 * keys collide.
 */
export class PresenceKeys {
  readonly tag: string;
  readonly nodes: string;

  constructor(keyPrefix: string) {
    this.tag = `{${keyPrefix}:presence}`;
    this.nodes = `${this.tag}:nodes`;
  }

  lease(node: string): string {
    return `${this.tag}:lease:${node}`;
  }

  node(node: string): string {
    return `${this.tag}:n:${node}`;
  }

  nodeUsers(node: string, space: string): string {
    return `${this.tag}:nu:${node}:${encodeSpace(space)}`;
  }

  nodeGroups(node: string, space: string): string {
    return `${this.tag}:ng:${node}:${encodeSpace(space)}`;
  }

  user(space: string, uid: string): string {
    return `${this.tag}:u:${encodeSpace(space)}:${uid}`;
  }

  group(space: string, gid: string): string {
    return `${this.tag}:g:${encodeSpace(space)}:${gid}`;
  }
}

export const encodeSpace = (space: string): string => encodeURIComponent(space);

/**
 * Forgets a node: removes it from the inverse indexes of every user and group its own hashes list, then deletes
 * its hashes. With ARGV[3] = '1' (another node reaping) only while its lease is absent, checked in the same atomic
 * step, so a node that has just come back under the same id is never reaped; with '0' (the node itself, starting
 * a new epoch) unconditionally.
 * KEYS: lease, node hash, nodes set. ARGV: tag, node id, reap flag.
 */
export const DROP_NODE_SCRIPT = `
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local tag, node = ARGV[1], ARGV[2]
for _, space in ipairs(redis.call('HKEYS', KEYS[2])) do
  for _, kind in ipairs({'u', 'g'}) do
    local own = tag .. ':n' .. kind .. ':' .. node .. ':' .. space
    for _, id in ipairs(redis.call('HKEYS', own)) do
      redis.call('HDEL', tag .. ':' .. kind .. ':' .. space .. ':' .. id, node)
    end
    redis.call('DEL', own)
  end
end
redis.call('DEL', KEYS[2])
if ARGV[3] == '1' then redis.call('SREM', KEYS[3], node) end
return 1
`;
