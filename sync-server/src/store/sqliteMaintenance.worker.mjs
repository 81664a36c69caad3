/**
 * The SQLite store's upkeep, on a thread and a connection of its own (see
 * `sqliteWriter.ts`), so that neither the event loop nor the writer thread's appends wait
 * for it:
 *
 * - Checkpoints (`checkpoint` requests, every second from the main thread): the WAL is
 *   copied into the database file, PASSIVE (no write lock, nobody waited for). The other
 *   two connections never checkpoint on commit (`wal_autocheckpoint = 0`): a commit that
 *   found the WAL past its limit used to checkpoint first, 250 ms on the event loop or on
 *   the writer thread with every append waiting behind it. When these passes cannot
 *   catch up with the commits, the writer thread finishes the copy (`sqliteWriter.ts`).
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

/** @type {{ file: string; busyTimeoutMs: number; walLimitBytes: number }} */
const { file, busyTimeoutMs, walLimitBytes } = workerData;
const sqlite = new Database(file);
sqlite.pragma('wal_autocheckpoint = 0');
sqlite.pragma(`journal_size_limit = ${walLimitBytes}`);
sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
// A compaction's commit need not wait for the disk: the rows it folds are durable already,
// and a power cut that loses it leaves them as they were.
sqlite.pragma('synchronous = NORMAL');

/**
 * At most this many PASSIVE passes per checkpoint. A pass copies the frames committed
 * before it started and takes no lock, so under load the writer thread commits while it
 * copies; passes back to back copy less each time, and one that finds no new frame ends
 * them. The WAL starts over from its beginning only when a commit finds all of it copied.
 */
const PASSES = 4;

/**
 * Copies the WAL into the database file, without a lock: the WAL's frames as the last
 * pass saw them, and whether a pass found no new frame (the next commit can then start
 * the WAL over) or every one was overtaken by commits.
 */
function checkpoint() {
  let frames = -1;
  for (let pass = 0; pass < PASSES; pass++) {
    const [{ log }] = sqlite.pragma('wal_checkpoint(PASSIVE)');
    if (log === frames) return { frames, caughtUp: true };
    frames = log;
  }
  return { frames, caughtUp: false };
}

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
  if (request.op === 'checkpoint') return checkpoint();
  if (request.op !== 'compact') throw new Error(`unknown request ${request.op}`);
  return compact(request.docName);
});
