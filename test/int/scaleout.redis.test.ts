import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc } from '#schema/docs/names';
import { message, startDm, texts } from '../helpers/dm';
import { connectClient } from '../helpers/client';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';

// Design §6: several server processes share Postgres (truth) and Redis (relay).
describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('two server nodes on Postgres and Redis', () => {
  const databaseUrl = useTestDatabase();

  it('relays messages between people connected to different nodes, and either node serves the history', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, bob, room, a, b, aBucket, bBucket } = await startDm(one, two);
    const bInbox = b.open(inboxDoc(bob.id));
    await bInbox.synced;

    appendMessage(aBucket.doc, message(alice.id, 'via node one'));
    await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
    appendMessage(bBucket.doc, message(bob.id, 'via node two'));
    await waitFor(() => texts(aBucket.doc).length === 2, { what: 'Alice on node one receives the reply' });
    // Both nodes wrote Bob's chat index entry (one per message); neither write was lost.
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room && c.count === 2 && c.lastMessage?.preview === 'via node two'), {
      what: 'Bob’s chat index to count both messages and show the last',
    });
    await Promise.all([a.settled(), b.settled()]);

    // Each message was logged once, by the node that received it; a third reader sees both.
    const log = await one.store.loadDoc(bucketDoc(room, 0));
    expect(log.updates.length).toBe(2);
    const c = connectClient(two.wsUrl, alice.token);
    const fresh = c.open(bucketDoc(room, 0));
    await fresh.synced;
    expect(texts(fresh.doc)).toEqual(['via node one', 'via node two']);
    await Promise.all([one.close(), two.close()]);
  });
});
