import type { FilterEntry } from '../registry/registry-entries.js';

/**
 * Runs `filters` as a middleware chain ending in `last`. A filter continues the chain by awaiting `next()`;
 * not calling it ends the chain. Calling it twice is a bug in the filter and throws.
 */
export function runFilters(filters: FilterEntry[], ctx: unknown, last: () => Promise<void>): Promise<void> {
  if (filters.length === 0) return last();
  let reached = -1;
  const step = async (i: number): Promise<void> => {
    if (i <= reached) throw new Error(`next() called twice in filter ${filters[i - 1]?.owner ?? ''}`);
    reached = i;
    if (i === filters.length) return last();
    let downstream: Promise<void> | undefined;
    await filters[i].call(ctx, () => (downstream = step(i + 1)));
    // A filter that starts next() without awaiting it must not turn the handler's error into an unhandled
    // rejection: the chain ends only when the rest of it has.
    if (downstream) await downstream;
  };
  return step(0);
}
