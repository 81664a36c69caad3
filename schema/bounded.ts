/**
 * Drops the oldest entries of an insertion-ordered Map or Set until it holds at most
 * `max`. The project's in-memory caches are bounded this way, so that input from the
 * network (forged names, many users) cannot grow them.
 */
export function keepAtMost(kept: Map<unknown, unknown> | Set<unknown>, max: number): void {
  for (const oldest of kept.keys()) {
    if (kept.size <= max) return;
    kept.delete(oldest);
  }
}
