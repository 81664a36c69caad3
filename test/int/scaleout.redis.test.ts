import { describe, expect, it } from 'vitest';
import { appendMessage, readMessages } from '../../schema/docs/bucket';
import { readChats } from '../../schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '../../schema/docs/names';
import { initDm } from '../../schema/docs/roomHead';
import { dmRoomId, newMessageId } from '../../schema/ids';
import { registerUser } from '../helpers/api';
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
    const alice = await registerUser(one.url, 'Alice');
    const bob = await registerUser(two.url, 'Bob');
    const room = dmRoomId(alice.id, bob.id);

    const a = connectClient(one.wsUrl, alice.token);
    const b = connectClient(two.wsUrl, bob.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initDm(head.doc, alice.id, Date.now());
    const aBucket = a.open(bucketDoc(room, 0));
    const bBucket = b.open(bucketDoc(room, 0));
    const bInbox = b.open(inboxDoc(bob.id));
    await Promise.all([aBucket.synced, bBucket.synced, bInbox.synced]);

    appendMessage(aBucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'via node one' });
    await waitFor(() => readMessages(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
    appendMessage(bBucket.doc, { id: newMessageId(), authorId: bob.id, createdAt: Date.now(), text: 'via node two' });
    await waitFor(() => readMessages(aBucket.doc).length === 2, { what: 'Alice on node one receives the reply' });
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room), { what: 'the chat in Bob’s chat index' });
    await Promise.all([a.settled(), b.settled()]);

    // Each message was logged once, by the node that received it; a third reader sees both.
    const log = await one.store.loadDoc(bucketDoc(room, 0));
    expect(log.updates.length).toBe(2);
    const c = connectClient(two.wsUrl, alice.token);
    const fresh = c.open(bucketDoc(room, 0));
    await fresh.synced;
    expect(readMessages(fresh.doc).map((m) => m.text)).toEqual(['via node one', 'via node two']);
    await Promise.all([one.close(), two.close()]);
  });
});
