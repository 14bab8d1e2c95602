/** Whose sessions a send addresses: one user or one group of one space. */
export type RouteKind = 'user' | 'group';

interface Entry {
  nodes: readonly string[];
  /** Past it the entry is reloaded in the background, and still used meanwhile. */
  stale: number;
  /** Past it the entry is not used at all. */
  expires: number;
}

/**
 * This node's short-lived copy of the directory entries it routes sends by: which other nodes hold a user or a
 * group. Read-through: a miss answers "unknown" at once (the send goes to every node) and loads the entry in the
 * background, so no send waits on Redis. An entry older than `ttl` is reloaded in the background and used until
 * the new one is in (at most `3 × ttl` in all), so a busy target never falls back to every node on a schedule;
 * additions never wait for a reload: a presence packet saying a node has just taken on that user or group drops
 * the entry, and a load that raced such a drop is discarded. A stale entry can only name a node too many, which
 * costs a packet nobody acts on.
 */
export class RouteCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Set<string>();
  /** Bumped by every invalidation: a load started before one may carry what it invalidated. */
  private generation = 0;

  constructor(
    private readonly ttl: number,
    private readonly maxEntries: number,
    private readonly load: (kind: RouteKind, space: string, id: string) => Promise<readonly string[]>,
  ) {}

  /** The nodes holding it, or `undefined` when not known yet (a load is then under way). */
  lookup(kind: RouteKind, space: string, id: string, now = Date.now()): readonly string[] | undefined {
    const key = keyOf(kind, space, id);
    const entry = this.entries.get(key);
    if (entry && entry.expires > now) {
      if (entry.stale <= now) this.fetch(key, kind, space, id);
      return entry.nodes;
    }
    if (entry) this.entries.delete(key);
    this.fetch(key, kind, space, id);
    return undefined;
  }

  invalidate(kind: RouteKind, space: string, ids: Iterable<string>): void {
    this.generation++;
    for (const id of ids) this.entries.delete(keyOf(kind, space, id));
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private fetch(key: string, kind: RouteKind, space: string, id: string): void {
    // Bounded: a burst of sends to many distinct targets loads at most this many at once, the rest go to all nodes.
    if (this.loading.has(key) || this.loading.size >= this.maxEntries) return;
    this.loading.add(key);
    const generation = this.generation;
    this.load(kind, space, id).then(
      (nodes) => {
        this.loading.delete(key);
        if (generation !== this.generation) return;
        if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        const now = Date.now();
        this.entries.set(key, { nodes, stale: now + this.ttl, expires: now + 3 * this.ttl });
      },
      () => this.loading.delete(key),
    );
  }
}

const keyOf = (kind: RouteKind, space: string, id: string) => `${kind === 'user' ? 'u' : 'g'}\0${space}\0${id}`;
