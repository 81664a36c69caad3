/**
 * A token bucket: `burst` tokens to start with, refilled at `perSecond`, one taken per
 * message. An honest client's bursts (a reconnect's catch-up, a paste of many
 * messages) fit in the bucket; only a sustained flood runs it dry.
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

  /** Takes one token; false when none is left (the message is over the limit). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.last) / 1000) * this.limits.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface RateLimits {
  /** Messages per second, sustained. */
  perSecond: number;
  /** Messages that may arrive at once. */
  burst: number;
}

/**
 * One bucket per key (a document connection), dropped with the key: a closed
 * connection's bucket goes with it, so a flooder cannot grow this map.
 */
export class RateLimiter<Key extends object> {
  private readonly buckets = new WeakMap<Key, TokenBucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now?: () => number,
  ) {}

  /** Counts one message from `key`; false once `key` is over its rate. */
  allow(key: Key): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limits, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
