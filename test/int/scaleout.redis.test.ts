import { IncomingMessage } from '@hocuspocus/server';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRedisClient } from '../../sync-server/src/redis';
import { CAUGHT_UP } from '../../sync-server/src/store/logPositions';
import { appendMessage } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc } from '#schema/docs/names';
import { message, startDm, texts, type DmPair } from '../helpers/dm';
import { connectClient } from '../helpers/client';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer, type TestServer } from '../helpers/server';
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
    await onTwoNodes(databaseUrl, async ({ alice, room, aBucket, bBucket, relayed }) => {
      const before = Y.encodeStateAsUpdate(aBucket.doc);
      appendMessage(aBucket.doc, message(alice.id, 'one hop'));
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
      // The first thing node one says about the bucket is the change itself: a peer needs
      // nothing more, where a state vector would have needed its answer and a reply to that.
      expect(await firstRelayedTexts(relayed, before, bucketDoc(room, 0))).toEqual(['one hop']);
    });
  });

  it('relays what a node caught up from the log (its own append, read back before it was applied)', async () => {
    await onTwoNodes(databaseUrl, async ({ one, alice, room, bBucket, relayed }) => {
      // What a catch-up does (`catchUpAll`): the rows read back from the log, applied as CAUGHT_UP.
      const loaded = one.hocuspocus.documents.get(bucketDoc(room, 0))!;
      const before = Y.encodeStateAsUpdate(loaded);
      const change = new Y.Doc();
      Y.applyUpdate(change, before);
      appendMessage(change, message(alice.id, 'read back'));
      Y.applyUpdate(loaded, Y.encodeStateAsUpdate(change, Y.encodeStateVector(loaded)), CAUGHT_UP);
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two receives it' });
      expect(await firstRelayedTexts(relayed, before, bucketDoc(room, 0))).toEqual(['read back']);
    });
  });

  it('a node that missed a relayed change gets it within seconds, from the state exchange', async () => {
    await onTwoNodes(databaseUrl, async ({ two, alice, room, aBucket, bBucket, relayed }) => {
      const channel = `hocuspocus:${bucketDoc(room, 0)}`;
      const twoSub = two.redis!.extension.sub as Redis;
      // Node two stops hearing the bucket's channel while node one relays the message, as if Redis had dropped it.
      await twoSub.unsubscribe(channel);
      appendMessage(aBucket.doc, message(alice.id, 'missed once'));
      await waitFor(() => relayed.length > 0, { what: 'node one to relay the change' });
      await twoSub.subscribe(channel);
      expect(texts(bBucket.doc)).toEqual([]);
      await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob on node two to receive it after all' });
      expect(texts(bBucket.doc)).toEqual(['missed once']);
    });
  });
});

/**
 * Two nodes on one database, Alice on the first and Bob on the second in their DM, and
 * what the nodes publish on its bucket's relay channel (without the sender's id in
 * front); all closed after `run`.
 */
async function onTwoNodes(databaseUrl: string, run: (nodes: DmPair & { one: TestServer; two: TestServer; relayed: Uint8Array[] }) => Promise<void>): Promise<void> {
  const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
  const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
  const listener = createRedisClient(TEST_REDIS_URL);
  try {
    const dm = await startDm(one, two);
    const relayed: Uint8Array[] = [];
    listener.on('messageBuffer', (_channel: Buffer, data: Buffer) => relayed.push(data.subarray(data[0]! + 1)));
    await listener.subscribe(`hocuspocus:${bucketDoc(dm.room, 0)}`);
    await run({ ...dm, one, two, relayed });
  } finally {
    listener.disconnect();
    await Promise.all([one.close(), two.close()]);
  }
}

/** The texts of a doc in state `before` once the update of the first relay message is applied; it fails the test if that message is not an update of `docName`. */
async function firstRelayedTexts(relayed: Uint8Array[], before: Uint8Array, docName: string): Promise<string[]> {
  const incoming = new IncomingMessage(await waitFor(() => relayed[0]));
  expect(incoming.readVarString()).toBe(docName);
  expect([incoming.readVarUint(), incoming.readVarUint()]).toEqual([0, 2]); // Sync, Update
  const doc = new Y.Doc();
  Y.applyUpdate(doc, before);
  Y.applyUpdate(doc, incoming.readVarUint8Array());
  return texts(doc);
}
