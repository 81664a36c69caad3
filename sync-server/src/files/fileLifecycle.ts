import AsyncLock from 'async-lock';
import { blobNamesOf, type FileRow, type Store } from '../store/db/store';
import type { BlobStore } from './blobStore';

/** Rows the sweep takes in one pass; the next pass takes the rest. */
const SWEEP_BATCH = 500;

/** A blob a new row was to name went (a sweep freed it between the upload and the row): nothing was written; the bytes must be sent again. */
export class BlobGone extends Error {
  constructor() {
    super('The file was removed from storage while it was being saved.');
  }
}

/**
 * What happens to a stored file after its upload: it is marked sent when the guard
 * accepts a message attaching it, retired when that message is deleted for everyone
 * (no longer served to anyone, its blobs removed once no live row names them), and
 * removed by the sweep when nobody sent it within the grace period or it was deleted.
 *
 * Blobs are shared between rows (the same bytes uploaded twice, a forwarded file): a
 * blob goes only when no row still served names it, as its bytes or its thumbnail.
 * A new row and the removal of a blob it names are kept apart by a lock per blob name
 * (`keep` against `retire` and `sweep`): the store decides in one transaction which
 * blobs no row names, but the bytes go after it commits, and a new upload of the same
 * bytes may find them stored in between. The lock is this process's: nodes sharing
 * one blob directory are not kept apart (see Known gaps).
 */
export class FileLifecycle {
  private readonly locks = new AsyncLock();

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The guard accepted messages attaching these files. */
  async referenced(fileIds: readonly string[]): Promise<void> {
    await this.store.markFilesReferenced(fileIds, this.now());
  }

  /**
   * Writes a row naming the blobs `names` (stored a moment ago, or found already stored)
   * only if they are all still there, under their locks: a sweep that freed them
   * either ran first (they are gone: {@link BlobGone}, nothing written) or runs after and
   * sees the row.
   */
  async keep(names: readonly string[], write: () => Promise<void>): Promise<void> {
    await this.locked(names, async () => {
      for (const name of names) if ((await this.blobs.size(name)) === null) throw new BlobGone();
      await write();
    });
  }

  /** Stores a new file row (an upload, a forwarded copy) if the blobs it names are still there; see {@link keep}. */
  create(row: FileRow): Promise<void> {
    return this.keep(blobNamesOf([row]), () => this.store.createFile(row));
  }

  /** Messages attaching these files were deleted for everyone: nobody may fetch them from now on. */
  async retire(fileIds: readonly string[]): Promise<void> {
    const names = blobNamesOf(await this.store.getFiles(fileIds));
    await this.locked(names, async () => {
      const { freed } = await this.store.markFilesDeleted(fileIds, this.now());
      await this.dropBlobs(freed);
    });
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
      await this.locked(blobNamesOf(rows), async () => this.dropBlobs(await this.store.deleteFiles(rows.map((row) => row.id))));
      removed += rows.length;
      if (rows.length < SWEEP_BATCH) return removed;
    }
  }

  /** Runs `run` holding the locks of the blob names `names`. */
  private async locked(names: readonly string[], run: () => Promise<void>): Promise<void> {
    const keys = [...new Set(names)].sort();
    if (keys.length === 0) return run();
    await this.locks.acquire(keys, run);
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
