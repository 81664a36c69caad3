/**
 * A token bucket: `burst` tokens to start with, refilled at `perSecond`, one taken per
 * message (or `cost`, e.g. its bytes). An honest client's bursts (a reconnect's
 * catch-up, a paste of many messages) fit in the bucket; only a sustained flood runs it dry.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burst;
    this.last = now();
  }

  /**
   * Takes `cost` tokens; false (taking none) when fewer are left: the message is over the
   * limit. `at` is when the message arrived, if it waited before being counted: a flood
   * is judged by how fast it came, not by how fast the server got through it.
   */
  take(cost = 1, at?: number): boolean {
    const now = Math.max(this.last, at ?? this.now());
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.last) / 1000) * this.limits.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export interface RateLimits {
  /** Messages per second, sustained. */
  perSecond: number;
  /** Messages that may arrive at once. */
  burst: number;
}
