import { Worker } from 'node:worker_threads';
import type { StoreThread } from './db/store';
import { RequestThread } from './requestThread';

/**
 * `mergeForSnapshot` (`rows.ts`) on a thread of its own (`snapshotMerge.worker.mjs`),
 * for the Postgres store's debounced compactions (`Store.compactAside`). Merging a busy
 * bucket's thousand rows held the event loop for tens of milliseconds, on every node that
 * compacted, with every message of the node waiting behind it; SQLite's upkeep thread
 * already merges away from it. Started at the first merge, so a store that never compacts
 * starts no thread.
 */
export class SnapshotMergeThread {
  private thread: RequestThread | null = null;

  /** The snapshot (if any) and the rows' updates, merged into one garbage-collected update. */
  async merge(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Promise<Uint8Array> {
    // Back to back in one buffer, moved to the thread: a thousand small arrays posted one by
    // one would cost the event loop their serialisation.
    const parts = snapshot ? [snapshot, ...updates] : updates;
    const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
    const ends: number[] = [];
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.byteLength;
      ends.push(at);
    }
    this.thread ??= new RequestThread('snapshot merge', () => new Worker(new URL('./snapshotMerge.worker.mjs', import.meta.url), { execArgv: [] }));
    return (await this.thread.call('merge', { bytes: bytes.buffer, ends }, [bytes.buffer])) as Uint8Array;
  }

  /** The merge thread, once a merge started it (`Store.threads`). */
  async threads(): Promise<StoreThread[]> {
    const tid = await this.thread?.kernelThreadId();
    return tid ? [{ name: 'snapshot merge', tid }] : [];
  }

  async close(): Promise<void> {
    await this.thread?.terminate();
    this.thread = null;
  }
}
