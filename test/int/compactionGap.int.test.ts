import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { message, openDm } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

describe('compactions that come due together', () => {
  it('run one after another with a gap between them, not back to back, and each folds its log', async () => {
    // Compact after 3 rows; docs unload as soon as their last client leaves (no hold), so all are stored at once.
    const server = await startServer({ env: { JECO_COMPACT_AFTER_UPDATES: '3', JECO_SERVER_DOC_HOLD_MS: '0' } });
    const alice = await registerUser(server.url, 'Alice');
    const peers = await Promise.all(['Bob', 'Carol', 'Dave'].map((name) => registerUser(server.url, name)));
    const a = connectClient(server.wsUrl, alice.token);
    const buckets = await Promise.all(
      peers.map(async (peer) => {
        const { room, bucket } = await openDm(a, alice.id, peer.id);
        for (const text of ['one', 'two', 'three', 'four']) appendMessage(bucket.doc, message(alice.id, text));
        return bucketDoc(room, 0);
      }),
    );
    await a.settled();
    const started = new Map<string, number>();
    const compactAside = server.store.compactAside.bind(server.store);
    server.store.compactAside = (docName) => {
      started.set(docName, performance.now());
      return compactAside(docName);
    };
    // The last client leaving stores every doc at once.
    a.close();
    await waitFor(() => buckets.every((name) => started.has(name)), { what: 'the three buckets compacted', timeoutMs: 10_000 });
    const times = [...started.values()].sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(140);
    for (const name of buckets) await waitFor(async () => (await server.store.loadDoc(name)).updates.length === 0, { what: `${name} folded into its snapshot` });
  });
});
