/** Bounds of the jittered, doubling delay before a doc refused with a retryable reason syncs again. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
/**
 * A new group's buckets are refused until the server has stored the group
 * (`out_of_order:group-not-created`, a few hundred ms after its head synced): expected,
 * not trouble, so "Reconnecting…" shows only if that lasts longer than this.
 */
const EXPECTED_WAIT_MS = 3_000;
/**
 * The longest delay between tries of an expected refusal: the group's first message waits
 * on it, and a server slow to store the group (seconds, under load) must not cost a
 * further 10 s wait on top. One try is one cheap look-up, counted in the user's budget.
 */
const EXPECTED_RETRY_MAX_MS = 2_000;

/**
 * When one doc, turned away by the server for a while, tries again (a jittered delay
 * that doubles up to {@link RETRY_MAX_MS}, or {@link EXPECTED_RETRY_MAX_MS} for an
 * expected refusal, and starts over once it syncs), and whether it
 * counts as waiting, which the status line shows as "Reconnecting…".
 */
export class RetryPacer {
  private delayMs = RETRY_MIN_MS;
  private waiting = false;
  /** Set while an expected refusal waits to count as trouble (see {@link EXPECTED_WAIT_MS}). */
  private expectedWaitTimer: ReturnType<typeof setTimeout> | undefined;

  /** `onWaiting` hears when the doc starts (true) and stops (false) waiting to be served. */
  constructor(private readonly onWaiting: (waiting: boolean) => void) {}

  /** Runs `retry` after the next delay; an `expected` refusal counts as waiting only after {@link EXPECTED_WAIT_MS}. */
  later(retry: () => void, expected: boolean): void {
    const delay = expected ? Math.min(this.delayMs, EXPECTED_RETRY_MAX_MS) : this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, RETRY_MAX_MS);
    if (expected) this.markWaitingAfter(EXPECTED_WAIT_MS);
    else this.markWaiting();
    setTimeout(retry, delay * (0.5 + Math.random() / 2));
  }

  /** The doc synced: the delay starts over and it no longer waits. */
  synced(): void {
    this.delayMs = RETRY_MIN_MS;
    clearTimeout(this.expectedWaitTimer);
    this.expectedWaitTimer = undefined;
    if (this.waiting) {
      this.waiting = false;
      this.onWaiting(false);
    }
  }

  /** The doc is closed: nothing of it waits any more. */
  stop(): void {
    clearTimeout(this.expectedWaitTimer);
    if (this.waiting) this.onWaiting(false);
  }

  private markWaiting(): void {
    clearTimeout(this.expectedWaitTimer);
    if (this.waiting) return;
    this.waiting = true;
    this.onWaiting(true);
  }

  /** An expected wait: it counts only if the doc is still not served after `ms`. */
  private markWaitingAfter(ms: number): void {
    if (this.waiting || this.expectedWaitTimer !== undefined) return;
    this.expectedWaitTimer = setTimeout(() => {
      this.expectedWaitTimer = undefined;
      this.markWaiting();
    }, ms);
  }
}
