import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openStore } from '../../sync-server/src/store/openStore';
import { useTestDatabase } from '../helpers/pgDatabase';
import { killDuringBurst } from '../helpers/projectionCrash';
import { hasPostgres } from '../helpers/services';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe.skipIf(!(await hasPostgres()))('chat indexes across crashes (Postgres)', () => {
  const databaseUrl = useTestDatabase();
  it("kill -9 during a burst in a 100-member group, twice: every member's chat index has the last message and the right count", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-projection-crash-pg-'));
    dirs.push(dataDir);
    await killDuringBurst({ dataDir, env: { JECO_DATABASE_URL: databaseUrl }, openStore: () => openStore({ dataDir, databaseUrl }) });
  }, 180_000);
});
