/**
 * Picks the store from configuration: no database URL means the embedded SQLite file
 * in the data dir (nothing else to run); a Postgres URL means the shared database.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LogOptions, Store } from './db/store';
import { openPgStore } from './pgStore';
import { openSqliteStore } from './sqliteStore';

/** The file name of the embedded database inside the data dir. */
export const SQLITE_FILE_NAME = 'jeco.sqlite';

export interface OpenStoreOptions {
  /** `JECO_DATABASE_URL`: unset or empty for SQLite, else `postgres://` or `postgresql://`. */
  databaseUrl?: string | undefined;
  /** `JECO_DATA_DIR`, created if missing; holds the SQLite file. */
  dataDir: string;
  /** `JECO_COMMIT_SPACING_MS`: see {@link LogOptions}. */
  commitSpacingMs?: number;
}

export async function openStore({ databaseUrl, dataDir, commitSpacingMs = 0 }: OpenStoreOptions): Promise<Store> {
  const log: LogOptions = { commitSpacingMs };
  if (!databaseUrl) {
    await mkdir(dataDir, { recursive: true });
    return openSqliteStore(path.join(dataDir, SQLITE_FILE_NAME), log);
  }
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return openPgStore(databaseUrl, log);
  // Only the scheme is shown: the rest of the URL may carry a password.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(databaseUrl)?.[0] ?? 'no scheme';
  throw new Error(`JECO_DATABASE_URL must be unset (SQLite in the data dir) or a postgres:// or postgresql:// URL; got ${scheme}`);
}
