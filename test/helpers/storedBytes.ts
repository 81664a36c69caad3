import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../sync-server/src/store/openStore';
import type { TestServer } from './server';

/** The raw bytes SQLite keeps for a doc: every log row and the snapshot, straight from the file (what a disk image would show). */
export function sqliteStoredRows(server: TestServer, docName: string): Uint8Array[] {
  const db = new Database(path.join(server.dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    const rows = db.prepare('select "update" as bytes from doc_updates where doc_name = ?').all(docName) as { bytes: Buffer }[];
    const snapshots = db.prepare('select snapshot as bytes from doc_snapshots where doc_name = ?').all(docName) as { bytes: Buffer }[];
    return [...rows, ...snapshots].map((r) => r.bytes);
  } finally {
    db.close();
  }
}

/** Whether any of `chunks` holds `text` as UTF-8. */
export const holdsText = (chunks: readonly Uint8Array[], text: string) => {
  const needle = Buffer.from(text, 'utf8');
  return chunks.some((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).includes(needle));
};
