import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { addMembers, headBucket, leaveGroup, readMembers, removeMember, renameGroup, ROOM_HEAD, setRole } from '#schema/docs/roomHead';
import type { RoomId, UserId } from '#schema/ids';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from './attack';
import { stateOf } from './docContent';
import { RawSyncSocket } from './rawSync';
import { groupWorld, newMessage, nextClose, systemLines, texts, type Seat } from './groupWorld';

/** The seat's chat index entry of the world's group, from its own inbox replica. */
function entryOf(seat: Seat, room: RoomId) {
  const inbox = seat.client.open(inboxDoc(seat.user.id));
  return () => readChatEntry(inbox.doc, room);
}

describe('group changes become system lines, written by the server', async () => {
  const server = await startServer();

  it('tells everyone of a rename, in the timeline and as the chat list preview', async () => {
    const w = await groupWorld(server);
    const alice = w.alice.user.id;
    expect(systemLines(w.bob.bucket.doc)).toEqual([`created ${alice} Climbing`]);
    const bobsEntry = entryOf(w.bob, w.room);
    const alicesEntry = entryOf(w.alice, w.room);
    renameGroup(w.alice.head.doc, 'Climbing 2');
    await waitFor(() => systemLines(w.bob.bucket.doc).includes(`renamed ${alice} Climbing 2`), { what: 'Bob to read the rename line' });
    await waitFor(() => bobsEntry()?.lastMessage?.preview === 'Alice changed the group name to “Climbing 2”', { what: "Bob's preview" });
    expect(bobsEntry()).toMatchObject({ title: 'Climbing 2', lastMessage: { system: true, authorId: alice } });
    await waitFor(() => alicesEntry()?.lastMessage?.preview === 'You changed the group name to “Climbing 2”', { what: "Alice's preview" });
    // A line is not a message people wrote: the count of messages stays.
    // Alice's message is still waiting for its projection window (the rename's projection ran first): once it ran, it counts, and the line does not.
    await server.projections.idle();
    await waitFor(() => (bobsEntry()?.count ?? 0) > 0, { what: "Bob's count after the message's projection" });
    expect(bobsEntry()?.count).toBe(1);
  });

  it('lets an admin remove a member, who gets the line that removed them, keeps the chat read-only and receives nothing new', async () => {
    const w = await groupWorld(server);
    const [alice, bob, mallory] = [w.alice.user.id, w.bob.user.id, w.mallory.user.id];
    const mallorysEntry = entryOf(w.mallory, w.room);
    await waitFor(() => mallorysEntry(), { what: "Mallory's entry" });
    setRole(w.alice.head.doc, bob, 'admin', alice);
    await waitFor(() => readMembers(w.bob.head.doc).get(bob)?.role === 'admin', { what: 'Bob to be admin' });
    const closed = [nextClose(w.mallory.head).closed, nextClose(w.mallory.bucket).closed];
    removeMember(w.bob.head.doc, mallory);
    await expect(Promise.all(closed)).resolves.toEqual(['removed', 'removed']);
    await waitFor(() => systemLines(w.alice.bucket.doc).at(-1) === `removed ${bob} ${mallory}`, { what: 'Alice to read "Bob removed Mallory"' });
    expect(systemLines(w.alice.bucket.doc)).toEqual([`created ${alice} Climbing`, `promoted ${alice} ${bob}`, `removed ${bob} ${mallory}`]);

    await waitFor(() => mallorysEntry()?.former === 'removed', { what: "Mallory's chat to be marked removed" });
    expect(mallorysEntry()?.lastMessage).toMatchObject({ preview: 'Bob removed you', system: true });
    // What comes after goes to the bucket the head moved on to, which she is refused.
    expect(headBucket(w.alice.head.doc)).toBe(1);
    const [aliceNext, bobNext] = [w.alice.client.open(bucketDoc(w.room, 1)), w.bob.client.open(bucketDoc(w.room, 1))];
    await Promise.all([aliceNext.synced, bobNext.synced]);
    const after = newMessage(alice, 'Mallory is out');
    appendMessage(aliceNext.doc, after);
    await waitFor(() => texts(bobNext.doc).includes(after.text), { what: 'Bob to receive the message' });
    await expect(w.mallory.client.open(bucketDoc(w.room, 1)).refused).resolves.toBe('forbidden');
    // She got the line that removed her, and nothing after it.
    expect(texts(w.mallory.bucket.doc)).toEqual([w.aliceMessage.text]);
    expect(systemLines(w.mallory.bucket.doc).at(-1)).toBe(`removed ${bob} ${mallory}`);
    expect(mallorysEntry()?.lastMessage?.preview).toBe('Bob removed you');
    expect(mallorysEntry()?.lastMessage?.position).toEqual({ bucket: 0, index: 3 });
  });

  it('hands the group to the longest-standing admin when its owner leaves', async () => {
    const w = await groupWorld(server);
    const [alice, mallory] = [w.alice.user.id, w.mallory.user.id];
    const alicesEntry = entryOf(w.alice, w.room);
    await waitFor(() => alicesEntry(), { what: "Alice's entry" });
    setRole(w.alice.head.doc, mallory, 'admin', alice);
    await waitFor(() => readMembers(w.bob.head.doc).get(mallory)?.role === 'admin', { what: 'Mallory to be admin' });
    leaveGroup(w.alice.head.doc, alice);
    await waitFor(() => systemLines(w.bob.bucket.doc).at(-1) === `left ${alice} `, { what: 'Bob to read "Alice left"' });
    expect(systemLines(w.bob.bucket.doc).slice(-2)).toEqual([`owner ${alice} ${mallory}`, `left ${alice} `]);
    expect(await server.store.getMemberRole(w.room, mallory)).toBe('owner');
    expect(await server.store.getMemberRole(w.room, alice)).toBeNull();
    await waitFor(() => alicesEntry()?.former === 'left', { what: "Alice's chat to be marked left" });
    expect(alicesEntry()?.lastMessage?.preview).toBe('You left');
  });

  it('clears the mark when a removed member is added back', async () => {
    const w = await groupWorld(server);
    const [alice, bob] = [w.alice.user.id, w.bob.user.id];
    const bobsEntry = entryOf(w.bob, w.room);
    removeMember(w.alice.head.doc, bob);
    await waitFor(() => bobsEntry()?.former === 'removed', { what: "Bob's chat to be marked removed" });
    addMembers(w.alice.head.doc, [bob], alice, Date.now());
    await waitFor(() => bobsEntry() && !bobsEntry()!.former, { what: "Bob's chat to be his again" });
    expect(bobsEntry()?.lastMessage?.preview).toBe('Alice added you');
  });
});

describe('the update guard against forged group changes', async () => {
  const server = await startServer();

  it('refuses a system line written by a client', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => appendMessage(doc, { ...newMessage(w.mallory.user.id, ''), event: { type: 'promoted', target: w.mallory.user.id } }),
      reason: 'rejected_update:server-only',
      observers: [w.alice.bucket.doc, w.bob.bucket.doc],
    });
    expect(systemLines(w.bob.bucket.doc)).toEqual([`created ${w.alice.user.id} Climbing`]);
  });

  it('refuses a plain member adding someone', async () => {
    const w = await groupWorld(server);
    const stranger = crypto.randomUUID() as UserId;
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => addMembers(doc, [stranger], w.mallory.user.id, Date.now()),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).has(stranger)).toBe(false);
  });

  it('refuses an admin removing the owner', async () => {
    const w = await groupWorld(server);
    setRole(w.alice.head.doc, w.mallory.user.id, 'admin', w.alice.user.id);
    await waitFor(() => readMembers(w.mallory.head.doc).get(w.mallory.user.id)?.role === 'admin', { what: 'Mallory to be admin' });
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => removeMember(doc, w.alice.user.id),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).get(w.alice.user.id)?.role).toBe('owner');
    expect(await server.store.getMemberRole(w.room, w.alice.user.id)).toBe('owner');
  });

  /** Alice makes Mallory an admin, and everyone sees it. */
  async function malloryAdmin(w: Awaited<ReturnType<typeof groupWorld>>) {
    setRole(w.alice.head.doc, w.mallory.user.id, 'admin', w.alice.user.id);
    await waitFor(() => readMembers(w.mallory.head.doc).get(w.mallory.user.id)?.role === 'admin', { what: 'Mallory to be admin' });
    await waitFor(async () => (await server.store.getMemberRole(w.room, w.mallory.user.id)) === 'admin', { what: 'the projection of Mallory as admin' });
  }

  it("refuses an admin removing the owner with a deleted value written over the owner's entry", async () => {
    const w = await groupWorld(server);
    await malloryAdmin(w);
    const alice = w.alice.user.id;
    const name = roomHeadDoc(w.room);
    // Mallory's script, on a copy of her replica: Alice's entry is deleted there first
    // (never sent), then a value is written over it and deleted at once. Sent alone, that
    // update holds one item whose left origin is Alice's entry and no deletion of it:
    // integrating it deletes Alice's entry all the same.
    const fork = new Y.Doc();
    Y.applyUpdate(fork, Y.encodeStateAsUpdate(w.mallory.head.doc));
    const members = fork.getMap(ROOM_HEAD.members);
    members.delete(alice);
    const sent: Uint8Array[] = [];
    fork.on('update', (update: Uint8Array) => sent.push(update));
    fork.transact(() => {
      members.set(alice, { role: 'member', addedBy: w.mallory.user.id, addedAt: Date.now() });
      members.delete(alice);
    });
    await server.projections.idle();
    const before = stateOf(w.serverDoc(name));
    const raw = await RawSyncSocket.open(server.wsUrl);
    try {
      expect(await raw.auth(name, w.mallory.user.token)).toBe('authenticated');
      raw.update(name, sent[0]!);
      expect(await waitFor(() => raw.closes.get(name), { what: "the server to close Mallory's script" })).toBe('rejected_update:admin-only');
    } finally {
      raw.close();
    }
    expect(stateOf(w.serverDoc(name)).equals(before)).toBe(true);
    await w.stillServed();
    expect(readMembers(w.bob.head.doc).get(alice)?.role).toBe('owner');
    expect(await server.store.getMemberRole(w.room, alice)).toBe('owner');
  });

  it('refuses the owner demoting herself, which would leave the group with nobody able to make an owner', async () => {
    const w = await groupWorld(server);
    const alice = w.alice.user.id;
    await expectRefused(w, {
      via: w.alice.head,
      write: (doc) => setRole(doc, alice, 'admin', alice),
      reason: 'rejected_update:admin-only',
      observers: [w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).get(alice)?.role).toBe('owner');
    expect(await server.store.getMemberRole(w.room, alice)).toBe('owner');
  });

  it('refuses an admin changing her own role', async () => {
    const w = await groupWorld(server);
    await malloryAdmin(w);
    const mallory = w.mallory.user.id;
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => setRole(doc, mallory, 'member', mallory),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).get(mallory)?.role).toBe('admin');
  });

  it('refuses a plain member making someone an admin or dismissing an admin', async () => {
    const w = await groupWorld(server);
    const [bob, mallory] = [w.bob.user.id, w.mallory.user.id];
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => setRole(doc, bob, 'admin', mallory),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    const again = await groupWorld(server);
    setRole(again.alice.head.doc, again.bob.user.id, 'admin', again.alice.user.id);
    await waitFor(() => readMembers(again.mallory.head.doc).get(again.bob.user.id)?.role === 'admin', { what: 'Bob to be admin' });
    await expectRefused(again, {
      via: again.mallory.head,
      write: (doc) => setRole(doc, again.bob.user.id, 'member', again.mallory.user.id),
      reason: 'rejected_update:admin-only',
      observers: [again.alice.head.doc, again.bob.head.doc],
    });
    expect(readMembers(again.alice.head.doc).get(again.bob.user.id)?.role).toBe('admin');
    expect(readMembers(w.alice.head.doc).get(bob)?.role).toBe('member');
  });

  it('refuses an admin demoting the owner', async () => {
    const w = await groupWorld(server);
    await malloryAdmin(w);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => setRole(doc, w.alice.user.id, 'admin', w.mallory.user.id),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).get(w.alice.user.id)?.role).toBe('owner');
  });
});
