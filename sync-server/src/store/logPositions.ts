import type { RedisTransactionOrigin } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { applyUpdates } from '#schema/docs/applyUpdates';
import type { LoadLogsAfter, Store } from '../store/db/store';

/** What another process logged: applied and broadcast to clients, but neither logged nor projected again. */
export const CAUGHT_UP = { source: 'redis' } as const satisfies RedisTransactionOrigin;

/**
 * Per loaded doc, how far this node's in-memory copy follows the log: the highest row
 * id applied to it, and how many of this node's appends are committed but not applied
 * yet. Design §5b: the store is the truth and a node's memory a cache; this is what
 * lets a node catch a doc up from the rows after the last one it applied instead of
 * re-reading the whole log.
 */
export class LogPositions {
  private readonly docs = new Map<string, { applied: number; pending: number }>();

  loaded(docName: string, lastId: number): void {
    this.docs.set(docName, { applied: lastId, pending: 0 });
  }

  unloaded(docName: string): void {
    this.docs.delete(docName);
  }

  /**
   * Call before appending a client update; call the returned function with the row id
   * once committed (null if the append failed). Hocuspocus applies the update in the
   * microtasks right after `beforeSync` resolves, so by the next turn of the event loop
   * it is in memory: only then does it count as applied.
   */
  appending(docName: string): (id: number | null) => void {
    const entry = this.docs.get(docName);
    if (entry) entry.pending++;
    return (id) => {
      setImmediate(() => {
        if (entry) {
          entry.pending--;
          if (id !== null) entry.applied = Math.max(entry.applied, id);
        }
      });
    };
  }

  /** Whether every append this node made to the doc is in its memory. */
  settled(docName: string): boolean {
    return (this.docs.get(docName)?.pending ?? 0) === 0;
  }

  lastApplied(docName: string): number {
    return this.docs.get(docName)?.applied ?? 0;
  }

  advanced(docName: string, id: number): void {
    const entry = this.docs.get(docName);
    if (entry) entry.applied = Math.max(entry.applied, id);
  }
}

/**
 * Catches the loaded `doc` up with what the log holds after the last row this node
 * applied (rows other processes appended; the snapshot again if a compaction folded
 * rows past that point), and notes the new position. Call it before a server write,
 * before refusing on a doc's state, and after Redis reconnects. O(rows since), not
 * O(log). Applied as {@link CAUGHT_UP}: broadcast to clients here, not logged or
 * projected again.
 */
export async function catchUp(load: Store['loadUpdatesAfter'], positions: LogPositions, docName: string, doc: Y.Doc): Promise<void> {
  await catchUpAll((docs) => Promise.all(docs.map((d) => load(d.docName, d.afterId))), positions, [[docName, doc]]);
}

/** {@link catchUp} for several docs, read together (one read on Postgres, not one per doc). */
export async function catchUpAll(load: LoadLogsAfter, positions: LogPositions, docs: readonly (readonly [string, Y.Doc])[]): Promise<void> {
  const read = await load(docs.map(([docName]) => ({ docName, afterId: positions.lastApplied(docName) })));
  docs.forEach(([docName, doc], i) => {
    const { updates, lastId } = read[i]!;
    applyUpdates(doc, updates, CAUGHT_UP);
    positions.advanced(docName, lastId);
  });
}
