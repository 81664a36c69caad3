import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openStore } from '../../sync-server/src/store/openStore';
import { killDuringBurst } from '../helpers/projectionCrash';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('chat indexes across crashes (SQLite)', () => {
  it("kill -9 during a burst in a 100-member group, twice: every member's chat index has the last message and the right count", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-projection-crash-'));
    dirs.push(dataDir);
    await killDuringBurst({ dataDir, openStore: () => openStore({ dataDir }) });
  }, 180_000);
});
