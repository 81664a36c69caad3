/**
 * The SQLite store's log writer, on its own thread (see `sqliteWriter.ts`): a second
 * better-sqlite3 connection to the same file that commits the group commit's appends
 * (synchronous = FULL: the fsync happens here, not on the server's event loop) and the
 * chat-index projection's flushes. The main thread sends one request at a time and
 * waits for its answer, so this thread never competes with the main connection's own
 * writes for SQLite's write lock.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { answerRequests, describeError } from './answerRequests.mjs';

/** @type {{ file: string; busyTimeoutMs: number; walLimitBytes: number }} */
const { file, busyTimeoutMs, walLimitBytes } = workerData;
const sqlite = new Database(file);
// The main connection has made the file WAL and migrated it before starting this thread.
sqlite.pragma('synchronous = FULL');
sqlite.pragma('foreign_keys = ON');
sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
// The upkeep thread copies the WAL into the file (`sqliteMaintenance.worker.mjs`): an
// append commit never does it first, with the appends behind it waiting.
sqlite.pragma('wal_autocheckpoint = 0');
sqlite.pragma(`journal_size_limit = ${walLimitBytes}`);

// Without `returning id`: the row id is the connection's last insert rowid. RETURNING
// gathers each inserted row into a result of its own, about 12 % more per insert in a
// batch of 12 (16 µs against 14, better-sqlite3 alone, no fsync).
const append = sqlite.prepare('insert into doc_updates (doc_name, "update") values (?, ?)');
const mark = sqlite.prepare('insert into projection_marks (room_id, bucket) values (?, ?) on conflict do nothing');
const clearMark = sqlite.prepare('delete from projection_marks where room_id = ? and bucket = ?');
const setWatermark = sqlite.prepare(
  'insert into projection_watermarks (room_id, bucket, length, messages) values (?, ?, ?, ?) ' +
    'on conflict (room_id, bucket) do update set length = excluded.length, messages = excluded.messages',
);

/** @param {Uint8Array} bytes */
const buffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A projection flush, inside a batch's transaction: a savepoint of its own (a nested better-sqlite3 transaction). */
const writeFlush = sqlite.transaction(
  /** @param {{ updates: { docName: string; update: Uint8Array }[]; watermarks: { roomId: string; bucket: number; length: number; messages: number }[]; clear: { roomId: string; bucket: number }[] }} flush */
  (flush) => {
    for (const u of flush.updates) append.run(u.docName, buffer(u.update));
    for (const w of flush.watermarks) setWatermark.run(w.roomId, w.bucket, w.length, w.messages);
    for (const m of flush.clear) clearMark.run(m.roomId, m.bucket);
  },
);

/**
 * One immediate transaction for a group commit's batch (`LogWriter.commit`): appends and
 * projection flushes in the order given, an append's mark right after it; the appends'
 * row ids, 0 for a flush. A flush that fails is rolled back to its savepoint and
 * answered as its error, and the rest commits: derived data never takes the clients'
 * appends down with it. A failure that ended the transaction (the disk, say) fails the batch.
 */
const commitBatch = sqlite.transaction(
  /** @param {({ docName: string; update: Uint8Array; mark?: { roomId: string; bucket: number } } | { flush: any })[]} items */
  (items) =>
    items.map((item) => {
      if ('flush' in item) {
        try {
          writeFlush(item.flush);
          return 0;
        } catch (error) {
          if (!sqlite.inTransaction) throw error;
          return { error: describeError(error) };
        }
      }
      const id = Number(append.run(item.docName, buffer(item.update)).lastInsertRowid);
      if (item.mark) mark.run(item.mark.roomId, item.mark.bucket);
      return id;
    }),
);

/**
 * The last of a checkpoint the upkeep thread's passes could not finish: asked in the
 * writer's order (`sqliteWriter.ts`), so no append commits while it copies what they left,
 * and the next commit, finding the WAL all copied, writes it from its beginning. PASSIVE
 * still: it waits for no reader (one reading an older state keeps its frames, and the next
 * second tries again), so the appends wait only for the copy, a few milliseconds.
 */
function finishCheckpoint() {
  const [{ busy, log, checkpointed }] = sqlite.pragma('wal_checkpoint(PASSIVE)');
  return busy === 0 && checkpointed === log;
}

/** @param {{ op: string; items?: any }} request */
function run(request) {
  switch (request.op) {
    case 'commit': {
      if (!request.items.every((/** @type {object} */ item) => 'flush' in item)) return commitBatch.immediate(request.items);
      // Flushes alone, without their own fsync: derived data, made durable by the next
      // commit that holds an append (the WAL is written in order); see `SqliteStore.projectRoom`.
      sqlite.pragma('synchronous = NORMAL');
      try {
        return commitBatch.immediate(request.items);
      } finally {
        sqlite.pragma('synchronous = FULL');
      }
    }
    case 'finishCheckpoint':
      return finishCheckpoint();
    case 'ping':
      return null;
    case 'close':
      sqlite.close();
      return null;
    default:
      throw new Error(`unknown request ${request.op}`);
  }
}

answerRequests(run);
