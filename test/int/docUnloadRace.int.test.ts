import { describe, expect, it } from 'vitest';
import { inboxDoc } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** How many microtask turns the second opener waits, over the runs: every place it can meet the unload. */
const INTERLEAVINGS = 16;

describe('a document opened while it unloads', async () => {
  const server = await startServer();
  const hocuspocus = server.hocuspocus;

  it('lands on the copy that stays loaded, so what is written through it reaches the next person who opens the doc (every interleaving)', async () => {
    const ann = await registerUser(server.url, 'Ann');
    const name = inboxDoc(ann.id as UserId);
    const client = connectClient(server.wsUrl, ann.token);
    const landedOnUnloaded: number[] = [];
    for (let turns = 0; turns < INTERLEAVINGS; turns++) {
      // Loaded, and then held by nobody: the unload may start.
      const first = await hocuspocus.openDirectConnection(name);
      const loaded = first.document!;
      loaded.removeDirectConnection();
      const unloading = hocuspocus.unloadDocument(loaded);
      for (let i = 0; i < turns; i++) await Promise.resolve();
      const second = await hocuspocus.openDirectConnection(name);
      await unloading;
      if (hocuspocus.documents.get(name) !== second.document) landedOnUnloaded.push(turns);
      await second.transact((doc) => doc.getMap('probe').set('turn', turns));

      const open = client.open(name);
      await open.synced;
      expect(open.doc.getMap('probe').get('turn'), `after ${turns} turns`).toBe(turns);
      open.provider.destroy();
      await second.disconnect();
      await waitFor(() => !hocuspocus.documents.has(name), { what: 'the doc unloaded' });
    }
    expect(landedOnUnloaded).toEqual([]);
  });
});
