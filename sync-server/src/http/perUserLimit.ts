import type { UserId } from '#schema/ids';

/**
 * At most `max` uses per person in any `windowMs`, kept in this process's memory (like
 * the sign-in limit; see "Known gaps"). For the few heavy requests a person makes by
 * hand: an export, a new profile photo.
 */
export class PerUserLimit {
  private readonly used = new Map<UserId, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a use by `userId` and says whether it is allowed. */
  take(userId: UserId, now = Date.now()): boolean {
    const recent = (this.used.get(userId) ?? []).filter((at) => now - at < this.windowMs);
    const allowed = recent.length < this.max;
    if (allowed) recent.push(now);
    if (recent.length > 0) this.used.set(userId, recent);
    else this.used.delete(userId);
    // Now and then, forget everyone with nothing recent, so the map stays small.
    if (this.used.size > 10_000) for (const [id, times] of this.used) if (times.every((at) => now - at >= this.windowMs)) this.used.delete(id);
    return allowed;
  }
}
