import type { Redis } from 'ioredis';
import { DROP_NODE_SCRIPT, encodeSpace, PresenceKeys } from './presence-keys.js';
import type { SpaceChanges } from './node-state.js';

/** Per node, a count: the value of a `u:` / `g:` index or of a node's own hash. */
export type NodeCounts = Map<string, number>;

/**
 * The Redis side of the presence directory: one node's writes (each an atomic MULTI), the reaping of dead nodes,
 * and the reads the cluster-wide queries and the router make. Every call may reject (Redis down, timeout); the
 * directory decides what that means.
 */
export class PresenceStore {
  readonly keys: PresenceKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly nodeId: string,
    private readonly leaseTtl: number,
  ) {
    this.keys = new PresenceKeys(keyPrefix);
    redis.defineCommand('wsDropNode', { numberOfKeys: 3, lua: DROP_NODE_SCRIPT });
  }

  /**
   * Takes (or renews) this node's lease; resolves with the epoch the lease held before: anything but `epoch`
   * means the entry lapsed (or Redis lost it) and must be written again from scratch.
   */
  renewLease(epoch: string): Promise<string | null> {
    return this.redis.set(this.keys.lease(this.nodeId), epoch, 'PX', this.leaseTtl, 'GET');
  }

  /** A new epoch: the lease first (so nobody reaps what follows), then the old entries out and `changes` in. */
  async restart(epoch: string, changes: SpaceChanges[]): Promise<void> {
    await this.renewLease(epoch);
    await this.dropNode(this.nodeId, false);
    await this.write(changes);
  }

  /** Applies one batch of this node's changes, atomically. */
  async write(changes: SpaceChanges[]): Promise<void> {
    const k = this.keys;
    const node = this.nodeId;
    const tx = this.redis.multi().sadd(k.nodes, node);
    for (const change of changes) {
      const { space } = change;
      if (change.sessions !== undefined) tx.hset(k.node(node), encodeSpace(space), change.sessions);
      for (const [uid, count] of change.users) {
        if (count > 0) tx.hset(k.nodeUsers(node, space), uid, count).hset(k.user(space, uid), node, count);
        else tx.hdel(k.nodeUsers(node, space), uid).hdel(k.user(space, uid), node);
      }
      for (const [gid, count] of change.groups) {
        if (count > 0) tx.hset(k.nodeGroups(node, space), gid, count).hset(k.group(space, gid), node, count);
        else tx.hdel(k.nodeGroups(node, space), gid).hdel(k.group(space, gid), node);
      }
    }
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('presence write discarded');
  }

  /** Forgets a node's entries: another node's only when its lease is gone (`reap`), this node's own always. */
  async dropNode(node: string, reap: boolean): Promise<boolean> {
    const k = this.keys;
    const dropped = await (this.redis as unknown as DropNode).wsDropNode(k.lease(node), k.node(node), k.nodes, k.tag, node, reap ? '1' : '0');
    return dropped === 1;
  }

  /** The nodes that may have entries, each with whether its lease is held. */
  async nodes(): Promise<Map<string, boolean>> {
    const nodes = await this.redis.smembers(this.keys.nodes);
    if (nodes.length === 0) return new Map();
    const leases = await this.redis.mget(nodes.map((node) => this.keys.lease(node)));
    return new Map(nodes.map((node, i) => [node, leases[i] !== null]));
  }

  /** Of `nodes`, those whose lease is held. */
  async live(nodes: Iterable<string>): Promise<Set<string>> {
    const list = [...nodes];
    if (list.length === 0) return new Set();
    const leases = await this.redis.mget(list.map((node) => this.keys.lease(node)));
    return new Set(list.filter((_, i) => leases[i] !== null));
  }

  /** The `u:` or `g:` index of one user or group: which nodes hold it, with how many sessions each. */
  async holders(kind: 'user' | 'group', space: string, id: string): Promise<NodeCounts> {
    const key = kind === 'user' ? this.keys.user(space, id) : this.keys.group(space, id);
    return counts(await this.redis.hgetall(key));
  }

  /** Several nodes' hashes of one kind in one space (`n:` per space sessions, `nu:` users, `ng:` groups). */
  async nodeHashes(nodes: string[], key: (node: string) => string): Promise<NodeCounts[]> {
    if (nodes.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const node of nodes) pipeline.hgetall(key(node));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return counts(value as Record<string, string>);
    });
  }
}

interface DropNode {
  wsDropNode(lease: string, node: string, nodes: string, tag: string, id: string, reap: string): Promise<number>;
}

function counts(hash: Record<string, string>): NodeCounts {
  const map: NodeCounts = new Map();
  for (const [key, value] of Object.entries(hash)) {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n > 0) map.set(key, n);
  }
  return map;
}
