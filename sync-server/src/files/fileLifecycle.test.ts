import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RoomId, UserId } from '#schema/ids';
import type { FileRow, Store } from '../store/db/store';
import { openSqliteStore } from '../store/sqliteStore';
import { DiskBlobStore } from './diskBlobStore';
import { BlobGone, FileLifecycle } from './fileLifecycle';

const dirs: string[] = [];
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function world(): Promise<{ store: Store; blobs: DiskBlobStore; lifecycle: FileLifecycle; put: (bytes: string) => Promise<string> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-lifecycle-'));
  dirs.push(dir);
  const store = await openSqliteStore(path.join(dir, 'jeco.db'));
  stores.push(store);
  const blobs = new DiskBlobStore(path.join(dir, 'blobs'));
  let n = 0;
  const put = async (bytes: string) => {
    const source = path.join(dir, `upload-${n++}`);
    await writeFile(source, bytes);
    return (await blobs.putFile(source)).sha256;
  };
  return { store, blobs, lifecycle: new FileLifecycle(store, blobs, () => 10_000), put };
}

const row = (id: string, sha256: string, createdAt: number): FileRow => ({
  id,
  roomId: 'g.lifecycle' as RoomId,
  uploaderId: 'u.ann' as UserId,
  name: `${id}.txt`,
  mime: 'text/plain',
  size: 5,
  width: null,
  height: null,
  thumbhash: null,
  sha256,
  thumbSha256: null,
  createdAt,
  referencedAt: null,
  deletedAt: null,
});

describe('file lifecycle: a new row and the sweep of its blob', () => {
  it('a new upload of bytes whose last row the sweep is removing either keeps its row with the bytes, or is told to send them again', async () => {
    const { store, blobs, lifecycle, put } = await world();
    for (let round = 0; round < 30; round++) {
      const bytes = `round ${round}`;
      // An upload nobody sent, past the grace period: the sweep's to remove.
      const sha = await put(bytes);
      await store.createFile(row(`old${round}`, sha, 1_000));
      // The same bytes uploaded again: stored already, so the upload found them there.
      expect(await put(bytes)).toBe(sha);
      const fresh = row(`new${round}`, sha, 9_999);
      const keeping = lifecycle
        .keep([sha], () => store.createFile(fresh))
        .then(
          () => 'kept',
          (error: unknown) => (error instanceof BlobGone ? 'gone' : Promise.reject(error)),
        );
      // The sweep starts beside the new row at once, or a turn of the event loop later: either way the invariant holds.
      const sweeping = round % 2 === 0 ? lifecycle.sweep(5_000) : new Promise((resolve) => setImmediate(resolve)).then(() => lifecycle.sweep(5_000));
      const [outcome] = await Promise.all([keeping, sweeping]);
      if (outcome === 'kept') {
        // Its row is there, and so are the bytes it names.
        expect(await store.getFile(fresh.id)).not.toBeNull();
        expect(await blobs.size(sha)).toBe(bytes.length);
      } else {
        // Told to send again, and nothing names the missing bytes.
        expect(await store.getFile(fresh.id)).toBeNull();
      }
    }
    // Both orders happen over the rounds; each was judged above.
  });

  it('bytes the sweep removed before the new row: nothing is written, and the upload is told to send them again', async () => {
    const { store, blobs, lifecycle, put } = await world();
    const sha = await put('swept first');
    await store.createFile(row('old', sha, 1_000));
    expect(await lifecycle.sweep(5_000)).toBe(1);
    expect(await blobs.size(sha)).toBeNull();
    await expect(lifecycle.keep([sha], () => store.createFile(row('new', sha, 9_999)))).rejects.toBeInstanceOf(BlobGone);
    expect(await store.getFile('new')).toBeNull();
  });
});
