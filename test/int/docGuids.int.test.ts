import { describe, expect, it } from 'vitest';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

describe("the server's docs", () => {
  it('are created with their names as Yjs guids (no random UUID each), and sync as before', async () => {
    const server = await startServer();
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const roomId = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(roomId));
    await head.synced;
    initGroup(head.doc, { name: 'Guids', owner: alice.id, members: [bob.id], now: Date.now() });
    await a.settled();
    await waitFor(async () => (await server.store.getRoomMembers(roomId)).length === 2, { what: 'the group stored' });

    const bucket = a.open(bucketDoc(roomId, 0));
    await bucket.synced;
    appendMessage(bucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'hello' });
    await a.settled();
    const b = connectClient(server.wsUrl, bob.token).open(bucketDoc(roomId, 0));
    await b.synced;
    await waitFor(() => readMessages(b.doc).some((m) => m.text === 'hello'), { what: "Bob sees Alice's message" });

    for (const name of [roomHeadDoc(roomId), bucketDoc(roomId, 0), inboxDoc(bob.id)]) {
      await waitFor(() => server.hocuspocus.documents.has(name), { what: `${name} loaded` });
      expect(server.hocuspocus.documents.get(name)!.guid).toBe(name);
    }
  });
});
