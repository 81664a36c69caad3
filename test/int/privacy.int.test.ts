import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, messageCount } from '#schema/docs/bucket';
import { addContact } from '#schema/docs/contacts';
import { contactsDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { comparePositions, encodeReceiptAdvance, readReceiptAggregate, type Position } from '#schema/docs/receipts';
import { addMembers, initGroup, readMembers } from '#schema/docs/roomHead';
import { newGroupId, type RoomId, type UserId } from '#schema/ids';
import { api, registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message, startDm } from '../helpers/dm';
import { watchPresence } from '../helpers/presence';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const setPrivacy = (server: TestServer, user: TestUser, body: unknown) => api(server.url, 'PATCH', '/api/me/privacy', { token: user.token, body });

/** `owner` adds `contact` to their contacts doc, and the server has it. */
async function addToContacts(server: TestServer, owner: TestUser, contact: TestUser): Promise<void> {
  const client = connectClient(server.wsUrl, owner.token);
  const doc = client.open(contactsDoc(owner.id as UserId));
  await doc.synced;
  addContact(doc.doc, contact.id as UserId, { addedAt: Date.now() });
  await client.settled();
  client.close();
}

/** The first reason the server closed `open`'s connection with, once it has. */
function closeReason(open: OpenDoc): () => string | undefined {
  let reason: string | undefined;
  open.provider.on('close', ({ event }: { event: { reason: string } }) => (reason ??= event.reason || undefined));
  return () => reason;
}

/** A connection to a doc as the app makes it: who the server says is online there, and whose typing reaches it. */
function join(server: TestServer, token: string, name: string) {
  const open = connectClient(server.wsUrl, token).open(name, new Y.Doc());
  return { open, ...watchPresence(open) };
}

/** Lets typing traffic run: `rounds` typing signals on every side, `ms` apart. */
async function chatter(sides: { type: (on: boolean) => void }[], rounds = 3, ms = 150): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (const side of sides) side.type(true);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

describe('privacy settings', async () => {
  const server = await startServer();

  it('reads and changes my settings; bad input gets a clear error and changes nothing', async () => {
    const alice = await registerUser(server.url, 'Alice');
    expect((await api(server.url, 'GET', '/api/me/privacy', { token: alice.token })).body).toEqual({
      privacy: { lastSeen: 'everyone', profile: 'everyone', readReceipts: true, groupAdd: 'everyone' },
    });
    const changed = await setPrivacy(server, alice, { lastSeen: 'contacts', readReceipts: false });
    expect(changed.status).toBe(200);
    expect(changed.body.privacy).toEqual({ lastSeen: 'contacts', profile: 'everyone', readReceipts: false, groupAdd: 'everyone' });
    for (const bad of [{ lastSeen: 'friends' }, { groupAdd: 'nobody' }, { readReceipts: 'no' }, { lastSeen: 'nobody', email: 'x@y' }, {}, null]) {
      const res = await setPrivacy(server, alice, bad);
      expect(res.status).toBe(400);
      expect(res.body.error.kind).toBe('bad_request');
    }
    expect((await api(server.url, 'PATCH', '/api/me/privacy', { body: { lastSeen: 'nobody' } })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/me/privacy', { token: alice.token })).body.privacy).toEqual(changed.body.privacy);
  });

  it("GET /api/users/:id and search answer only what the asker may see: last seen and about per setting, contacts per the owner's contacts doc", async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const carol = await registerUser(server.url, 'Carol');
    await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { about: 'Climbing' } });
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id as UserId));
    await inbox.synced;
    const seenBy = async (viewer: TestUser) => (await api(server.url, 'GET', `/api/users/${alice.id}`, { token: viewer.token })).body.user;
    const searchedBy = async (viewer: TestUser) => (await api(server.url, 'GET', `/api/users?q=${alice.username}`, { token: viewer.token })).body.users[0];
    await waitFor(async () => (await seenBy(bob)).lastSeenAt !== null, { what: "Alice's last seen" });
    expect(await seenBy(bob)).toMatchObject({ about: 'Climbing', lastSeenAt: expect.any(Number) });

    await setPrivacy(server, alice, { lastSeen: 'contacts', profile: 'nobody' });
    await addToContacts(server, alice, carol);
    for (const answer of [await seenBy(bob), await searchedBy(bob)]) expect(answer).toMatchObject({ id: alice.id, lastSeenAt: null, about: null });
    for (const answer of [await seenBy(carol), await searchedBy(carol)]) expect(answer).toMatchObject({ lastSeenAt: expect.any(Number), about: null });
    // The owner sees all of their own, and no answer carries the settings themselves.
    expect(await seenBy(alice)).toMatchObject({ lastSeenAt: expect.any(Number), about: 'Climbing' });
    expect(JSON.stringify(await seenBy(bob))).not.toMatch(/contacts|nobody|readReceipts/);

    await setPrivacy(server, alice, { lastSeen: 'nobody', profile: 'contacts' });
    expect(await seenBy(carol)).toMatchObject({ lastSeenAt: null, about: 'Climbing' });
    expect(await seenBy(bob)).toMatchObject({ lastSeenAt: null, about: null });
    await setPrivacy(server, alice, { lastSeen: 'everyone', profile: 'everyone' });
    expect(await seenBy(bob)).toMatchObject({ lastSeenAt: expect.any(Number), about: 'Climbing' });
  });

  it("hiding my own last seen hides everyone's from me (reciprocity), in GET /api/users/:id and search", async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id as UserId));
    await inbox.synced;
    const aliceSeenBy = async (viewer: TestUser) => (await api(server.url, 'GET', `/api/users/${alice.id}`, { token: viewer.token })).body.user.lastSeenAt;
    const searchedBy = async (viewer: TestUser) => (await api(server.url, 'GET', `/api/users?q=${alice.username}`, { token: viewer.token })).body.users[0].lastSeenAt;
    await waitFor(async () => (await aliceSeenBy(bob)) !== null, { what: "Alice's last seen" });

    await setPrivacy(server, bob, { lastSeen: 'nobody' });
    expect(await aliceSeenBy(bob)).toBeNull();
    expect(await searchedBy(bob)).toBeNull();
    // "My contacts": Bob sees the last seen of his contacts only.
    await setPrivacy(server, bob, { lastSeen: 'contacts' });
    expect(await aliceSeenBy(bob)).toBeNull();
    await addToContacts(server, bob, alice);
    await waitFor(async () => (await aliceSeenBy(bob)) !== null, { what: 'Alice, now his contact, to show her last seen to Bob' });
    await setPrivacy(server, bob, { lastSeen: 'everyone' });
    expect(await searchedBy(bob)).toEqual(expect.any(Number));
  });

  it('online and typing in a DM reach the other person only per the setting, and what was shown is withdrawn when it changes', async () => {
    const { alice, bob, room } = await startDm(server);
    const a = join(server, alice.token, roomHeadDoc(room));
    const b = join(server, bob.token, roomHeadDoc(room));
    await waitFor(() => a.online().includes(bob.id) && b.online().includes(alice.id), { what: 'each to see the other online' });
    await chatter([a, b], 1);
    await waitFor(() => a.typists().includes(bob.id) && b.typists().includes(alice.id), { what: 'each to see the other typing' });

    await setPrivacy(server, alice, { lastSeen: 'nobody' });
    await waitFor(() => !b.online().includes(alice.id), { what: "Alice's online state to be withdrawn from Bob", timeoutMs: 2_000 });
    await waitFor(() => !b.typists().includes(alice.id), { what: "Alice's typing withdrawn from Bob", timeoutMs: 2_000 });
    // A fresh connection of Bob's never learns Alice is there, however long she types;
    // and, as on WhatsApp, hiding hers hides Bob's from her too.
    const b2 = join(server, bob.token, roomHeadDoc(room));
    await b2.open.synced;
    await chatter([a, b, b2]);
    await waitFor(() => b2.messages() > 0, { what: "Bob's new connection told who is online" });
    for (const side of [b, b2]) {
      expect(side.online()).not.toContain(alice.id);
      expect(side.typists()).not.toContain(alice.id);
    }
    expect(a.online()).not.toContain(bob.id);
    expect(a.typists()).not.toContain(bob.id);

    // "My contacts": Bob is not one yet, then he is.
    await setPrivacy(server, alice, { lastSeen: 'contacts' });
    await chatter([a]);
    expect(b2.online()).not.toContain(alice.id);
    await addToContacts(server, alice, bob);
    await waitFor(() => b2.online().includes(alice.id), { what: 'Alice online for Bob once he is her contact' });
    // Alice keeps typing, as the app says so again every 2 s (the server takes one signal a second).
    await waitFor(
      () => {
        a.type(true);
        return b2.typists().includes(alice.id);
      },
      { what: 'Alice typing for Bob once he is her contact' },
    );
  });

  it('in a group, online shows only for those who show it to everyone (a group reaches every member alike)', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    await addToContacts(server, alice, bob);
    const room = newGroupId();
    const owner = connectClient(server.wsUrl, alice.token);
    const created = owner.open(roomHeadDoc(room));
    await created.synced;
    initGroup(created.doc, { name: 'Ropes', owner: alice.id as UserId, members: [bob.id as UserId], now: Date.now() });
    await owner.settled();
    const a = join(server, alice.token, roomHeadDoc(room));
    const b = join(server, bob.token, roomHeadDoc(room));
    await waitFor(() => b.online().includes(alice.id), { what: 'Bob to see Alice online in the group' });
    await setPrivacy(server, alice, { lastSeen: 'contacts' });
    await waitFor(() => !b.online().includes(alice.id), { what: "Alice's online withdrawn from the group", timeoutMs: 2_000 });
    await chatter([a, b]);
    expect(b.online()).not.toContain(alice.id);
    expect(b.typists()).not.toContain(alice.id);
    expect(a.online()).toContain(bob.id);
    expect(a.typists()).toContain(bob.id);
    // Back to everyone: she shows again, without anyone reconnecting.
    await setPrivacy(server, alice, { lastSeen: 'everyone' });
    await waitFor(() => b.online().includes(alice.id), { what: 'Alice online in the group again', timeoutMs: 2_000 });
  });

  it('read receipts off hides read ticks in the DM both ways (the aggregate and Message info); delivered still shows', async () => {
    const { alice, bob, room, b, aBucket, bBucket } = await startDm(server);
    // startDm's own head replica is not returned; Alice reads the head on a second device.
    const aHead = connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room));
    const bHead = b.open(roomHeadDoc(room));
    await Promise.all([aHead.synced, bHead.synced]);
    const covers = (p: Position | null | undefined, to: Position) => !!p && comparePositions(p, to) >= 0;
    const send = async (from: OpenDoc, to: OpenDoc, author: TestUser, text: string): Promise<Position> => {
      appendMessage(from.doc, message(author.id as UserId, text));
      await waitFor(() => messageCount(to.doc) === messageCount(from.doc), { what: `${text} to arrive` });
      return { bucket: 0, index: messageCount(from.doc) - 1 };
    };
    const info = async (viewer: TestUser, at: Position) =>
      (await api(server.url, 'GET', `/api/rooms/${encodeURIComponent(room)}/receipts?bucket=${at.bucket}&index=${at.index}`, { token: viewer.token })).body.receipts;

    await setPrivacy(server, alice, { readReceipts: false });
    // Bob writes; Alice reads it (a read implies delivered): Bob sees it delivered, not read.
    const fromBob = await send(bBucket, aBucket, bob, 'are you there?');
    bHead.provider.sendStateless(encodeReceiptAdvance('read', fromBob));
    aHead.provider.sendStateless(encodeReceiptAdvance('read', fromBob));
    await waitFor(() => covers(readReceiptAggregate(bHead.doc)?.delivered, fromBob), { what: 'delivered to Alice' });
    expect(readReceiptAggregate(bHead.doc)?.read ?? null).toBeNull();
    expect(await info(bob, fromBob)).toContainEqual({ userId: alice.id, deliveredAt: expect.any(Number), readAt: null });

    // Alice writes; Bob, whose receipts are on, reads it: Alice does not see his read either.
    const fromAlice = await send(aBucket, bBucket, alice, 'yes');
    aHead.provider.sendStateless(encodeReceiptAdvance('read', fromAlice));
    bHead.provider.sendStateless(encodeReceiptAdvance('read', fromAlice));
    await waitFor(() => covers(readReceiptAggregate(aHead.doc)?.delivered, fromAlice), { what: 'delivered to Bob' });
    expect(readReceiptAggregate(aHead.doc)?.read ?? null).toBeNull();
    expect(await info(alice, fromAlice)).toContainEqual({ userId: bob.id, deliveredAt: expect.any(Number), readAt: null });
    expect(readReceiptAggregate(server.hocuspocus.documents.get(roomHeadDoc(room))!)?.read ?? null).toBeNull();

    // On again: the next read shows.
    await setPrivacy(server, alice, { readReceipts: true });
    const again = await send(bBucket, aBucket, bob, 'good');
    bHead.provider.sendStateless(encodeReceiptAdvance('read', again));
    aHead.provider.sendStateless(encodeReceiptAdvance('read', again));
    await waitFor(() => covers(readReceiptAggregate(bHead.doc)?.read, again), { what: 'read ticks back once both have receipts on' });
  });

  it('refuses adding someone to a group against their "who may add me"; their contacts may, and the profile answer says which', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const carol = await registerUser(server.url, 'Carol');
    const mallory = await registerUser(server.url, 'Mallory');
    await setPrivacy(server, alice, { groupAdd: 'contacts' });
    await addToContacts(server, alice, carol);
    expect((await api(server.url, 'GET', `/api/users/${alice.id}`, { token: mallory.token })).body.user.mayAddToGroups).toBe(false);
    expect((await api(server.url, 'GET', `/api/users?q=${alice.username}`, { token: mallory.token })).body.users[0].mayAddToGroups).toBe(false);
    expect((await api(server.url, 'GET', `/api/users/${alice.id}`, { token: carol.token })).body.user).not.toHaveProperty('mayAddToGroups');

    // Mallory creating a group with her in it, or adding her later: refused, nothing kept.
    const mal = connectClient(server.wsUrl, mallory.token);
    const first = mal.open(roomHeadDoc(newGroupId()));
    await first.synced;
    const firstClosed = closeReason(first);
    initGroup(first.doc, { name: 'Trap', owner: mallory.id as UserId, members: [alice.id as UserId, carol.id as UserId], now: Date.now() });
    await waitFor(() => firstClosed() === 'rejected_update:group-add-privacy', { what: 'the new group to be refused' });
    const room = newGroupId();
    const mal2 = connectClient(server.wsUrl, mallory.token);
    const head = mal2.open(roomHeadDoc(room));
    await head.synced;
    const headClosed = closeReason(head);
    initGroup(head.doc, { name: 'Also a trap', owner: mallory.id as UserId, members: [carol.id as UserId], now: Date.now() });
    await mal2.settled();
    addMembers(head.doc, [alice.id as UserId], mallory.id as UserId, Date.now());
    await waitFor(() => headClosed() === 'rejected_update:group-add-privacy', { what: 'adding Alice to be refused' });
    const carolsView = connectClient(server.wsUrl, carol.token).open(roomHeadDoc(room));
    await carolsView.synced;
    expect([...readMembers(carolsView.doc).keys()].sort()).toEqual([carol.id, mallory.id].sort());
    expect(await server.store.getMemberRole(room as RoomId, alice.id as UserId)).toBeNull();

    // Carol is in her contacts: Carol may.
    const carolRoom = newGroupId();
    const c = connectClient(server.wsUrl, carol.token);
    const carolHead = c.open(roomHeadDoc(carolRoom));
    await carolHead.synced;
    initGroup(carolHead.doc, { name: 'Friends', owner: carol.id as UserId, members: [alice.id as UserId], now: Date.now() });
    await c.settled();
    await server.projections.idle();
    expect(await server.store.getMemberRole(carolRoom as RoomId, alice.id as UserId)).toBe('member');
  });
});
