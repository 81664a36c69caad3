import { keepAtMost } from '#schema/bounded';

/**
 * Answers read from the store, kept for a short while: each stands for `ttlMs`, and past
 * `max` entries the oldest written are dropped. Setting an entry again makes it new.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly limits: { ttlMs: number; max: number },
    private readonly now: () => number,
  ) {}

  /** The answer kept for `key`, unless it is older than the cache's ttl. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && this.now() - hit.at < this.limits.ttlMs ? hit.value : undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    keepAtMost(this.entries, this.limits.max);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
