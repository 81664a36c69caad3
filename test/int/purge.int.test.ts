import path from 'node:path';
import Database from 'better-sqlite3';
import { describe } from 'vitest';
import { SQLITE_FILE_NAME } from '../../sync-server/src/store/openStore';
import { startServer } from '../helpers/server';
import { purgeSuite } from './purgeSuite';

describe('deleted means deleted (SQLite)', () => {
  purgeSuite(
    () => startServer(),
    async (server, docName) => {
      // Straight from the database file, not through the store: what a disk image would show.
      const db = new Database(path.join(server.dataDir, SQLITE_FILE_NAME), { readonly: true });
      try {
        const rows = db.prepare('select "update" as bytes from doc_updates where doc_name = ?').all(docName) as { bytes: Buffer }[];
        const snapshots = db.prepare('select snapshot as bytes from doc_snapshots where doc_name = ?').all(docName) as { bytes: Buffer }[];
        return [...rows, ...snapshots].map((r) => r.bytes);
      } finally {
        db.close();
      }
    },
  );
});
