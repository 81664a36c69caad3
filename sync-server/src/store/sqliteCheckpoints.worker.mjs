/**
 * The SQLite store's checkpoints (see `sqliteWriter.ts`): a connection of its own, on a
 * thread of its own, that copies the WAL into the database file every `everyMs`. PASSIVE:
 * it takes no write lock and waits for nobody, so appends go on committing meanwhile.
 * The store's other two connections never checkpoint (`wal_autocheckpoint = 0`): a
 * commit that found the WAL past its limit used to checkpoint first, 250 ms on the event
 * loop or on the writer thread with every append waiting behind it.
 *
 * Plain JavaScript: a worker starts without the TypeScript loader the server runs under.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ file: string; everyMs: number }} */
const { file, everyMs } = workerData;
const sqlite = new Database(file);
sqlite.pragma('wal_autocheckpoint = 0');

setInterval(() => {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy or failing checkpoint copies nothing; the next one tries again.
  }
}, everyMs);
