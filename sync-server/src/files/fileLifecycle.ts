import type { Store } from '../store/db/store';
import type { BlobStore } from './blobStore';

/** Rows the sweep takes in one pass; the next pass takes the rest. */
const SWEEP_BATCH = 500;

/**
 * What happens to a stored file after its upload: it is marked sent when the guard
 * accepts a message attaching it, retired when that message is deleted for everyone
 * (no longer served to anyone, its blobs removed once no live row names them), and
 * removed by the sweep when nobody sent it within the grace period or it was deleted.
 *
 * Blobs are shared between rows (the same bytes uploaded twice, a forwarded file): a
 * blob goes only when no row still served names it, as its bytes or its thumbnail.
 */
export class FileLifecycle {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The guard accepted messages attaching these files. */
  async referenced(fileIds: readonly string[]): Promise<void> {
    await this.store.markFilesReferenced(fileIds, this.now());
  }

  /** Messages attaching these files were deleted for everyone: nobody may fetch them from now on. */
  async retire(fileIds: readonly string[]): Promise<void> {
    const { freed } = await this.store.markFilesDeleted(fileIds, this.now());
    await this.dropBlobs(freed);
  }

  /**
   * One sweep: files never sent within `graceMs` of their upload, and files deleted for
   * everyone more than `graceMs` ago, lose their rows, and their blobs when no other
   * row uses them. Returns how many rows went.
   */
  async sweep(graceMs: number): Promise<number> {
    const cutoff = this.now() - graceMs;
    let removed = 0;
    for (;;) {
      const rows = await this.store.unusedFiles(cutoff, SWEEP_BATCH);
      if (rows.length === 0) return removed;
      await this.dropBlobs(await this.store.deleteFiles(rows.map((row) => row.id)));
      removed += rows.length;
      if (rows.length < SWEEP_BATCH) return removed;
    }
  }

  /** Blobs the store found no live row naming, in the transaction that retired or removed their rows. */
  private async dropBlobs(names: readonly string[]): Promise<void> {
    for (const name of names) await this.blobs.delete(name);
  }
}

/**
 * Runs {@link FileLifecycle.sweep} every `everyMs` (unref'd timer; a sweep still running
 * is not doubled; a failed one is logged and the next tries again).
 */
export function startFileSweep(deps: { lifecycle: FileLifecycle; everyMs: number; graceMs: number; log: (error: unknown, what: string) => void }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deps.lifecycle
      .sweep(deps.graceMs)
      .catch((error: unknown) => deps.log(error, 'sweeping unused files'))
      .finally(() => {
        running = false;
      });
  }, deps.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
