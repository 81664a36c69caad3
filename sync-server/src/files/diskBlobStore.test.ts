import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBlobStoreContract } from './blobStoreContract';
import { DiskBlobStore } from './diskBlobStore';

const roots = new Map<object, string>();

runBlobStoreContract(
  'disk',
  async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'jeco-blobs-'));
    const store = new DiskBlobStore(root);
    roots.set(store, root);
    return store;
  },
  async (store) => rm(roots.get(store)!, { recursive: true, force: true }),
);
