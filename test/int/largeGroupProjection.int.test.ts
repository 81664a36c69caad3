import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId, newUserId, type UserId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** More than two turns' worth of inboxes (the projection writes 50 a turn). */
const MEMBERS = 120;

/** Alice's group of {@link MEMBERS}, stored and projected; `a` is her connection. */
async function crowd(server: TestServer) {
  const alice = await registerUser(server.url, 'Alice');
  const members: UserId[] = [alice.id, ...Array.from({ length: MEMBERS - 1 }, () => newUserId())];
  const roomId = newGroupId();
  const a = connectClient(server.wsUrl, alice.token);
  const head = a.open(roomHeadDoc(roomId));
  await head.synced;
  initGroup(head.doc, { name: 'Crowd', owner: alice.id, members: members.slice(1), now: Date.now() });
  await a.settled();
  await waitFor(async () => (await server.store.getRoomMembers(roomId)).length === MEMBERS, { what: 'the group stored' });
  await server.projections.idle();
  return { alice, members, roomId, a };
}

describe('the chat-index projection of a large group', () => {
  it("writes every member's chat entry, over several turns of the event loop rather than one long one", async () => {
    const server = await startServer();
    const { alice, members, roomId, a } = await crowd(server);

    // Every inbox held open here, each noting the turn of the event loop its next change lands in.
    let turn = 0;
    let spinning = true;
    const spin = () => {
      turn++;
      if (spinning) setImmediate(spin);
    };
    spin();
    const landed = new Map<UserId, number>();
    const inboxes = await Promise.all(members.map((userId) => server.hocuspocus.openDirectConnection(inboxDoc(userId))));
    inboxes.forEach((connection, i) => connection.document!.on('update', () => landed.has(members[i]!) || landed.set(members[i]!, turn)));

    const bucket = a.open(bucketDoc(roomId, 0));
    await bucket.synced;
    appendMessage(bucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: 'Hello, everyone' });
    await a.settled();
    await server.projections.idle();
    await waitFor(() => landed.size === MEMBERS, { what: 'every inbox written' });
    spinning = false;

    // What every member's chat list shows.
    for (const connection of inboxes) expect(readChatEntry(connection.document!, roomId)?.lastMessage?.preview).toBe('Hello, everyone');
    // Other work ran between the writes: 120 inboxes took at least three turns.
    expect(new Set(landed.values()).size).toBeGreaterThanOrEqual(3);
    await Promise.all(inboxes.map((connection) => connection.disconnect()));
    a.close();
  });

  it('a projection that outlasts its window gets one projection after it, not one more queued behind it every window', async () => {
    // A window far shorter than a 120-member projection.
    const server = await startServer({ env: { JECO_PROJECTION_DELAY_MS: '1' } });
    const { alice, members, roomId, a } = await crowd(server);
    const bucket = a.open(bucketDoc(roomId, 0));
    await bucket.synced;

    // Each projection of the room, and how many inboxes it wrote.
    const store = server.store;
    const written: number[] = [];
    const projectRoom = store.projectRoom;
    store.projectRoom = (id, project) =>
      projectRoom.call(store, id, async (watermarks, load) => {
        const flush = await project(watermarks, load);
        if (id === roomId) written.push(flush.updates.length);
        return flush;
      });
    // Twenty messages, one every 2 ms: many windows pass while the first projection runs.
    for (let i = 0; i < 20; i++) {
      appendMessage(bucket.doc, { id: newMessageId(), authorId: alice.id, createdAt: Date.now(), text: `message ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await a.settled();
    await server.projections.idle();

    const inbox = await server.hocuspocus.openDirectConnection(inboxDoc(members[MEMBERS - 1]!));
    expect(readChatEntry(inbox.document!, roomId)).toMatchObject({ count: 20, lastMessage: { preview: 'message 19' } });
    // Every projection found messages to write: none was queued behind another only to find them projected already.
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((inboxes) => inboxes === 0)).toEqual([]);
    await inbox.disconnect();
    a.close();
  });
});
