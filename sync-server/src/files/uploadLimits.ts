import type { UserId } from '#schema/ids';

const MINUTE_MS = 60_000;

/**
 * Uploads started per user per minute (a fixed window per user). Kept in memory like
 * the sign-in limit: with several server processes each allows its own share.
 */
export class UploadLimits {
  private readonly windows = new Map<UserId, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one upload for `userId`; false when that would pass the limit. */
  allow(userId: UserId): boolean {
    const now = this.now();
    const window = this.windows.get(userId);
    if (!window || now - window.start >= MINUTE_MS) {
      // Forget finished windows as we go, so the map holds only this minute's uploaders.
      for (const [id, w] of this.windows) if (now - w.start >= MINUTE_MS) this.windows.delete(id);
      this.windows.set(userId, { start: now, count: 1 });
      return true;
    }
    if (window.count >= this.perMinute) return false;
    window.count += 1;
    return true;
  }
}
