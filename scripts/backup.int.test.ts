import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { SQLITE_FILE_NAME } from '../sync-server/src/store/openStore';
import { connectClient } from '../test/helpers/client';
import { message, startDm, texts } from '../test/helpers/dm';
import { useTestDatabase } from '../test/helpers/pgDatabase';
import { withPgClient } from './pgClient';
import { startServer, type TestServer } from '../test/helpers/server';
import { hasPostgres, TEST_PG_URL } from '../test/helpers/services';
import { waitFor } from '../test/helpers/waitFor';
import { backupPostgres, backupSqlite } from './backup';

/** Messages written before the backup; some more are written while it runs. */
const MESSAGES = 40;

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-backup-'));
  dirs.push(dir);
  return dir;
}

/**
 * Alice and Bob exchange messages on `server`; `backup` runs while Alice keeps writing;
 * `restoredServer` starts a new node from the backup. Bob, signing in to the new node
 * with his old session, finds every message the server had confirmed before the backup.
 */
async function roundTrip(server: TestServer, backup: () => Promise<void>, restoredServer: () => Promise<TestServer>) {
  const { alice, bob, room, a, aBucket } = await startDm(server);
  for (let i = 0; i < MESSAGES; i++) appendMessage(aBucket.doc, message(alice.id, `before backup ${i}`));
  await a.settled();
  const confirmed = texts(aBucket.doc);
  // The server keeps taking messages while the backup runs.
  const writing = setInterval(() => appendMessage(aBucket.doc, message(alice.id, 'during backup')), 5);
  try {
    await backup();
  } finally {
    clearInterval(writing);
  }
  await server.close();

  const restored = await restoredServer();
  const reader = connectClient(restored.wsUrl, bob.token).open(bucketDoc(room, 0));
  await reader.synced;
  await waitFor(() => confirmed.every((text) => texts(reader.doc).includes(text)), { what: 'every confirmed message on the restored node' });
  expect(texts(reader.doc).slice(0, confirmed.length)).toEqual(confirmed);
  await restored.close();
}

const withPostgres = await hasPostgres();

describe('backup and restore', () => {
  it('SQLite: an online backup restored into a new node has every message', async () => {
    const server = await startServer();
    const out = path.join(await tempDir(), 'jeco.backup.sqlite');
    const newDataDir = await tempDir();
    await roundTrip(
      server,
      () => backupSqlite(server.dataDir, out),
      async () => {
        await copyFile(out, path.join(newDataDir, SQLITE_FILE_NAME));
        return startServer({ dataDir: newDataDir });
      },
    );
  });

  describe.skipIf(!withPostgres)('Postgres', () => {
    const databaseUrl = useTestDatabase();
    const restoredName = `jeco_restore_${Date.now()}`;
    afterAll(() => withPgClient(TEST_PG_URL, (c) => c.query(`drop database if exists ${restoredName} with (force)`)));

    it('pg_dump restored with pg_restore into a new database serves every message', async () => {
      const server = await startServer({ databaseUrl });
      const out = path.join(await tempDir(), 'jeco.dump');
      const restoredUrl = new URL(TEST_PG_URL);
      restoredUrl.pathname = `/${restoredName}`;
      await roundTrip(
        server,
        () => backupPostgres(databaseUrl, out),
        async () => {
          await withPgClient(TEST_PG_URL, (c) => c.query(`create database ${restoredName}`));
          await new Promise<void>((resolve, reject) => {
            const restore = spawn('pg_restore', ['--no-owner', '-d', restoredUrl.toString(), out], { stdio: 'inherit' });
            restore.once('error', reject);
            restore.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_restore exited with ${code}`))));
          });
          return startServer({ databaseUrl: restoredUrl.toString() });
        },
      );
    });
  });
});
