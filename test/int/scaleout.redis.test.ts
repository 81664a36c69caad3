import { IncomingMessage } from '@hocuspocus/server';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRedisClient } from '../../sync-server/src/redis';
import { CAUGHT_UP } from '../../sync-server/src/store/logPositions';
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

  it('sends a change to the other node as the update itself, one message for it', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, room, aBucket, bBucket } = await startDm(one, two);
    const relayed = await listen(bucketDoc(room, 0));
    try {
      const before = Y.encodeStateAsUpdate(aBucket.doc);
      appendMessage(aBucket.doc, message(alice.id, 'one hop'));
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
      // The first thing node one says about the bucket is the change itself: a peer needs
      // nothing more, where a state vector would have needed its answer and a reply to that.
      const first = await waitFor(() => relayed.messages[0]);
      expect(textsAfter(before, updateIn(first, bucketDoc(room, 0)))).toEqual(['one hop']);
    } finally {
      relayed.client.disconnect();
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('relays what a node caught up from the log (its own append, read back before it was applied)', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, room, bBucket } = await startDm(one, two);
    const relayed = await listen(bucketDoc(room, 0));
    try {
      // What a catch-up does (`catchUpAll`): the rows read back from the log, applied as CAUGHT_UP.
      const loaded = one.hocuspocus.documents.get(bucketDoc(room, 0))!;
      const before = Y.encodeStateAsUpdate(loaded);
      const change = new Y.Doc();
      Y.applyUpdate(change, before);
      appendMessage(change, message(alice.id, 'read back'));
      Y.applyUpdate(loaded, Y.encodeStateAsUpdate(change, Y.encodeStateVector(loaded)), CAUGHT_UP);
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
      const first = await waitFor(() => relayed.messages[0]);
      expect(textsAfter(before, updateIn(first, bucketDoc(room, 0)))).toEqual(['read back']);
    } finally {
      relayed.client.disconnect();
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('a node that missed a relayed change gets it within seconds, from the state exchange', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, room, aBucket, bBucket } = await startDm(one, two);
    const channel = `hocuspocus:${bucketDoc(room, 0)}`;
    const relayed = await listen(bucketDoc(room, 0));
    const twoSub = two.redis!.extension.sub as Redis;
    try {
      // Node two stops hearing the bucket's channel while node one relays the message, as if Redis had dropped it.
      await twoSub.unsubscribe(channel);
      appendMessage(aBucket.doc, message(alice.id, 'missed once'));
      await waitFor(() => relayed.messages.length > 0, { what: 'node one to relay the change' });
      await twoSub.subscribe(channel);
      expect(texts(bBucket.doc)).toEqual([]);
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two to receive it after all' });
      expect(texts(bBucket.doc)).toEqual(['missed once']);
    } finally {
      relayed.client.disconnect();
      await Promise.all([one.close(), two.close()]);
    }
  });
});

/** What the nodes publish on a doc's relay channel, without the sender's id in front. */
async function listen(docName: string): Promise<{ client: Redis; messages: Uint8Array[] }> {
  const client = createRedisClient(TEST_REDIS_URL);
  const messages: Uint8Array[] = [];
  client.on('messageBuffer', (_channel: Buffer, data: Buffer) => messages.push(data.subarray(data[0]! + 1)));
  await client.subscribe(`hocuspocus:${docName}`);
  return { client, messages };
}

/** The update a relay message carries for `docName` (it fails the test if the message is anything else). */
function updateIn(relayMessage: Uint8Array, docName: string): Uint8Array {
  const incoming = new IncomingMessage(relayMessage);
  expect(incoming.readVarString()).toBe(docName);
  expect([incoming.readVarUint(), incoming.readVarUint()]).toEqual([0, 2]); // Sync, Update
  return incoming.readVarUint8Array();
}

/** The texts of a doc in state `before` once `update` is applied to it. */
function textsAfter(before: Uint8Array, update: Uint8Array): string[] {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, before);
  Y.applyUpdate(doc, update);
  return texts(doc);
}
