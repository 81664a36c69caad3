/**
 * Group commit (design §5b): appends that arrive while the previous commit is running,
 * or within the same turn of the event loop, are written by one transaction — one
 * fsync (SQLite) or one round trip (Postgres) for all of them. A commit also starts no
 * sooner than `spacingMs` after the previous one started: under load, appends gather
 * for a few milliseconds, and a message costs a fraction of a commit instead of one
 * (`npm run bench:load`); a commit after a quiet spell starts at once. Each caller's promise
 * settles only after that transaction: resolved with its row id once committed,
 * rejected with the commit's error if it failed, so nothing is acknowledged before it
 * is durable and a failed batch acknowledges nothing.
 */
export class GroupCommit<T> {
  private queue: { item: T; resolve: (id: number) => void; reject: (error: unknown) => void }[] = [];
  private running = false;
  private scheduled = false;
  /** When the last commit started (`performance.now()`). */
  private lastStart = Number.NEGATIVE_INFINITY;
  /** The spacing's timer, while the next commit waits for it. */
  private spaced: NodeJS.Timeout | null = null;
  /** Set by {@link drain}: the store is closing, and nothing waits for the spacing any more. */
  private draining = false;

  /**
   * `commit` writes every item in one transaction and returns their row ids, in order;
   * an item it answers with an error (one it could leave out, the rest committed) is
   * refused alone.
   */
  constructor(
    private readonly commit: (items: T[]) => Promise<(number | Error)[]> | (number | Error)[],
    private readonly spacingMs = 0,
  ) {}

  add(item: T): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    const start = () => {
      this.spaced = null;
      this.scheduled = false;
      void this.flush();
    };
    // setImmediate, not a microtask: the frames already read from the sockets in this
    // turn all get to queue their appends before the batch is cut. A timer's least wait is 1 ms.
    const wait = this.draining ? 0 : this.lastStart + this.spacingMs - performance.now();
    if (wait >= 1) this.spaced = setTimeout(start, wait);
    else setImmediate(start);
  }

  /**
   * For a store that is closing: commits what waits for its spacing at once, and
   * resolves once nothing waits or runs, so every append asked for before the close is
   * committed (or refused) before the store lets go of its database.
   */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.spaced) {
      clearTimeout(this.spaced);
      this.spaced = null;
      this.scheduled = false;
      this.schedule();
    }
    while (this.running || this.scheduled) await new Promise((resolve) => setImmediate(resolve));
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.running = true;
    this.lastStart = performance.now();
    try {
      const ids = await this.commit(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => {
        const id = ids[i]!;
        if (id instanceof Error) entry.reject(id);
        else entry.resolve(id);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
