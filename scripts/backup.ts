/**
 * `npm run backup -- [--out <file>]`: a consistent copy of this Jeco's store, taken
 * while it runs. Reads the same JECO_* variables as the server.
 *
 * - SQLite (no `JECO_DATABASE_URL`): SQLite's online backup API (better-sqlite3
 *   `.backup()`), page by page, so the server keeps writing meanwhile; the result is a
 *   database file. Restore: stop the server, put the file at `<data dir>/jeco.sqlite`
 *   (remove any `jeco.sqlite-wal`/`-shm` beside it), start the server.
 * - Postgres: `pg_dump --format=custom` (one snapshot of the whole database). Restore
 *   into an empty database: `pg_restore --no-owner -d <url> <file>`, then point
 *   `JECO_DATABASE_URL` at it.
 *
 * Message history, sessions and accounts are all in the store; Redis holds nothing
 * that needs a backup.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from '../sync-server/src/config';
import { SQLITE_FILE_NAME } from '../sync-server/src/store/openStore';

/** Copies the SQLite store of `dataDir` to `out` while the server may be writing to it. */
export async function backupSqlite(dataDir: string, out: string): Promise<void> {
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  if (!existsSync(file)) throw new Error(`no SQLite store at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(out);
  } finally {
    db.close();
  }
}

/** Dumps the Postgres database at `url` to `out` (custom format, for `pg_restore`). */
export function backupPostgres(url: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn('pg_dump', ['--format=custom', '--no-owner', `--file=${out}`, url], { stdio: ['ignore', 'inherit', 'inherit'] });
    dump.once('error', reject);
    dump.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const outAt = process.argv.indexOf('--out');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.resolve(outAt > 0 && process.argv[outAt + 1] ? process.argv[outAt + 1]! : `jeco-backup-${stamp}.${config.databaseUrl ? 'dump' : 'sqlite'}`);
  if (config.databaseUrl) await backupPostgres(config.databaseUrl, out);
  else await backupSqlite(config.dataDir, out);
  console.log(`backup written to ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
