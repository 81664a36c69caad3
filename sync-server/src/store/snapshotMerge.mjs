/**
 * Snapshot + log rows → one garbage-collected update, as `mergeForSnapshot`
 * (`store/rows.ts`) makes it on the main thread: each applied in order in one transaction
 * (`applyUpdates`, `schema/docs`), several times cheaper than `Y.mergeUpdates` first.
 * For the threads that merge away from the event loop (`sqliteMaintenance.worker.mjs`,
 * `snapshotMerge.worker.mjs`); plain JavaScript, as a worker starts without the
 * TypeScript loader the server runs under.
 */
import * as Y from 'yjs';

/**
 * @param {Uint8Array | null} snapshot
 * @param {Uint8Array[]} updates
 * @returns {Uint8Array}
 */
export function mergeSnapshot(snapshot, updates) {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const update of snapshot ? [snapshot, ...updates] : updates) Y.applyUpdate(doc, update);
  });
  const merged = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return merged;
}
