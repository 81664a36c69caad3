/**
 * The SQLite store's upkeep, on a thread and a connection of its own (see
 * `sqliteWriter.ts`), so that neither the event loop nor the writer thread's appends wait
 * for it:
 *
 * - Checkpoints: every `everyMs` the WAL is copied into the database file, PASSIVE (no
 *   write lock, nobody waited for). The other two connections never checkpoint
 *   (`wal_autocheckpoint = 0`): a commit that found the WAL past its limit used to
 *   checkpoint first, 250 ms on the event loop or on the writer thread with every
 *   append waiting behind it.
 * - Compactions (`compact` requests): the log read in one read transaction, merged here
 *   with no lock held (a large bucket's merge took 45–100 ms of the event loop), then
 *   written in a short immediate transaction: the snapshot covering the rows read, and
 *   exactly those rows deleted. Row ids are never reused (AUTOINCREMENT), so rows appended
 *   meanwhile have higher ids and stay; a compaction that changed the snapshot meanwhile
 *   (a purge's, on the main connection) makes this one write nothing.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { answerRequests } from './answerRequests.mjs';
import { mergeSnapshot } from './snapshotMerge.mjs';

/** @type {{ file: string; everyMs: number; busyTimeoutMs: number }} */
const { file, everyMs, busyTimeoutMs } = workerData;
const sqlite = new Database(file);
sqlite.pragma('wal_autocheckpoint = 0');
sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
// A compaction's commit need not wait for the disk: the rows it folds are durable already,
// and a power cut that loses it leaves them as they were.
sqlite.pragma('synchronous = NORMAL');

setInterval(() => {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy or failing checkpoint copies nothing; the next one tries again.
  }
}, everyMs);

const snapshotOf = sqlite.prepare('select snapshot, covers_id as coversId from doc_snapshots where doc_name = ?');
const rowsOf = sqlite.prepare('select id, "update" from doc_updates where doc_name = ? order by id');
const saveSnapshot = sqlite.prepare(
  'insert into doc_snapshots (doc_name, snapshot, covers_id, updated_at) values (?, ?, ?, ?) ' +
    'on conflict (doc_name) do update set snapshot = excluded.snapshot, covers_id = excluded.covers_id, updated_at = excluded.updated_at',
);
const deleteRows = sqlite.prepare('delete from doc_updates where doc_name = ? and id <= ?');

/** The snapshot and rows of a doc, as one read sees them. */
const readLog = sqlite.transaction((docName) => ({ snapshot: snapshotOf.get(docName), rows: rowsOf.all(docName) }));

const write = sqlite.transaction((docName, read, merged, coversId) => {
  const now = snapshotOf.get(docName);
  if ((now?.coversId ?? null) !== (read.snapshot?.coversId ?? null)) return 0;
  saveSnapshot.run(docName, Buffer.from(merged.buffer, merged.byteOffset, merged.byteLength), coversId, Date.now());
  deleteRows.run(docName, coversId);
  return read.rows.length;
});

/** Folds the doc's rows into its snapshot; how many rows it folded (0: none, or another compaction came first). */
function compact(docName) {
  const read = readLog(docName);
  if (read.rows.length === 0) return 0;
  const merged = mergeSnapshot(read.snapshot?.snapshot ?? null, read.rows.map((row) => row.update));
  return write.immediate(docName, read, merged, read.rows.at(-1).id);
}

answerRequests((request) => {
  if (request.op !== 'compact') throw new Error(`unknown request ${request.op}`);
  return compact(request.docName);
});
