/** Whose sessions a send addresses: one user or one group of one space. */
export type RouteKind = 'user' | 'group';

interface Entry {
  nodes: readonly string[];
  expires: number;
}

/**
 * This node's short-lived copy of the directory entries it routes sends by: which other nodes hold a user or a
 * group. Read-through: a miss answers "unknown" at once (the send goes to every node) and loads the entry in the
 * background, so no send waits on Redis. Entries expire after `ttl` and are dropped when a presence packet says a
 * node has just taken on that user or group; a load that raced such a drop is discarded.
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
    if (entry && entry.expires > now) return entry.nodes;
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
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, { nodes, expires: Date.now() + this.ttl });
      },
      () => this.loading.delete(key),
    );
  }
}

const keyOf = (kind: RouteKind, space: string, id: string) => `${kind === 'user' ? 'u' : 'g'}\0${space}\0${id}`;
