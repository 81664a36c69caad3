import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, deleteForEveryone, editMessage, readMessages } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { message, startDm } from '../helpers/dm';
import { useTestDatabase } from '../helpers/pgDatabase';
import { withPgClient } from '../../scripts/pgClient';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';

const secret = (what: string) => `${what}-${randomBytes(8).toString('hex')}`;
const holds = (chunks: readonly Uint8Array[], text: string) => chunks.some((c) => Buffer.from(c).includes(Buffer.from(text, 'utf8')));

describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('purges across two server nodes', () => {
  const databaseUrl = useTestDatabase();

  it('each node purges what its clients change, once; both nodes and every replica end with the same places and no text', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, bob, room, aBucket, bBucket } = await startDm(one, two);
    const name = bucketDoc(room, 0);
    const [aliceText, bobText] = [secret('alice said'), secret('bob said')];
    const fromAlice = message(alice.id, aliceText);
    const fromBob = message(bob.id, bobText);
    appendMessage(aBucket.doc, fromAlice);
    await waitFor(() => readMessages(bBucket.doc).length === 1, { what: "Alice's message on node two" });
    appendMessage(bBucket.doc, fromBob);
    await waitFor(() => readMessages(aBucket.doc).length === 2, { what: "Bob's message on node one" });
    const ids = [fromAlice.id, fromBob.id];

    // At the same time, each on their own node.
    deleteForEveryone(aBucket.doc, fromAlice.id, alice.id, Date.now());
    editMessage(bBucket.doc, fromBob.id, 'bob said something else', Date.now());

    const stored = () =>
      withPgClient(databaseUrl, async (c) => {
        const rows = await c.query<{ bytes: Buffer }>('select "update" as bytes from doc_updates where doc_name = $1', [name]);
        const snapshots = await c.query<{ bytes: Buffer }>('select snapshot as bytes from doc_snapshots where doc_name = $1', [name]);
        return [...rows.rows, ...snapshots.rows].map((r) => r.bytes);
      });
    const docs = () => [aBucket.doc, bBucket.doc, one.hocuspocus.documents.get(name)!, two.hocuspocus.documents.get(name)!];
    await waitFor(() => docs().every((doc) => !holds([Y.encodeStateAsUpdate(doc)], aliceText) && !holds([Y.encodeStateAsUpdate(doc)], bobText)), { what: 'every copy to lose both texts' });
    await waitFor(async () => !holds(await stored(), aliceText) && !holds(await stored(), bobText), { what: 'the stored rows to lose both texts' });
    for (const doc of docs()) {
      expect(readMessages(doc).map((m) => [m.id, m.text, m.deleted ?? false])).toEqual([
        [ids[0], '', true],
        [ids[1], 'bob said something else', false],
      ]);
    }
    await Promise.all([one.close(), two.close()]);
  });

  it('two nodes loading a never-purged bucket at once replace the message once', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, bob, room, a, b } = await startDm(one, two);
    // A fresh bucket each round: the race is in the first load of each.
    for (let round = 1; round <= 4; round++) {
      const name = bucketDoc(room, round);
      const text = secret(`round ${round}`);
      const history = new Y.Doc();
      const doomed = message(alice.id, text);
      appendMessage(history, doomed);
      appendMessage(history, message(bob.id, 'kept'));
      deleteForEveryone(history, doomed.id, alice.id, Date.now());
      await one.store.appendUpdate(name, Y.encodeStateAsUpdate(history));

      // Both nodes load it at the same moment, so both find the deletion unpurged.
      const loads = await Promise.all([one, two].map((node) => node.hocuspocus.openDirectConnection(name, { server: true })));
      const [aDoc, bDoc] = [a.open(name), b.open(name)];
      await Promise.all([aDoc.synced, bDoc.synced]);
      const docs = () => [aDoc.doc, bDoc.doc, one.hocuspocus.documents.get(name)!, two.hocuspocus.documents.get(name)!];
      await waitFor(() => docs().every((doc) => !holds([Y.encodeStateAsUpdate(doc)], text)), { what: 'every copy to lose the text' });
      for (const doc of docs()) expect(readMessages(doc).map((m) => m.text)).toEqual(['', 'kept']);
      await Promise.all(loads.map((load) => load.disconnect()));
    }
    await Promise.all([one.close(), two.close()]);
  });
});
