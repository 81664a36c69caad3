import { describe, expect, it } from 'vitest';
import { appendMessage, deleteForEveryone, DELETED_MESSAGE_TEXT, editMessage } from '#schema/docs/bucket';
import { inboxDoc, bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { addNotifications, markAllNotificationsRead, markNotificationRead, MAX_NOTIFICATIONS, readNotifications, unreadNotificationCount, type Notification } from '#schema/docs/notifications';
import { addMembers, initGroup, removeMember, setRole } from '#schema/docs/roomHead';
import { newGroupId, newMessageId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message, startDm } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { reactionNotificationSuite } from './reactionNotificationSuite';
import { nextClose } from '../guard/groupWorld';

/** What a list holds, as a person reading it would sum it up: kind, who, where. */
const summary = (inbox: OpenDoc) => readNotifications(inbox.doc).map((n) => `${n.kind} by ${n.actorName} in ${n.roomTitle}`);

async function inboxOf(server: TestServer, user: TestUser): Promise<OpenDoc> {
  const inbox = connectClient(server.wsUrl, user.token).open(inboxDoc(user.id));
  await inbox.synced;
  return inbox;
}

describe('the notification list, written by the projections into each inbox', () => {
  it("lands each kind in the right people's lists and nobody else's; a mention of a non-member lands nowhere", async () => {
    const server = await startServer();
    const [alice, bob, carol, dave] = (await Promise.all(['Alice', 'Bob', 'Carol', 'Dave'].map((n) => registerUser(server.url, n)))) as [TestUser, TestUser, TestUser, TestUser];
    const [aInbox, bInbox, cInbox, dInbox] = await Promise.all([alice, bob, carol, dave].map((u) => inboxOf(server, u)));
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    // Alice creates "Team" with Bob in it: Bob is told Alice added him.
    initGroup(head.doc, { name: 'Team', owner: alice.id, members: [bob.id], now: Date.now() });
    await a.settled();
    await waitFor(() => summary(bInbox!).includes('added by Alice in Team'), { what: 'Bob told he was added' });

    // Later Carol joins, and Bob is made an admin.
    addMembers(head.doc, [carol.id], alice.id, Date.now());
    await a.settled();
    await waitFor(() => summary(cInbox!).includes('added by Alice in Team'), { what: 'Carol told she was added' });
    setRole(head.doc, bob.id, 'admin', alice.id);
    await a.settled();
    await waitFor(() => summary(bInbox!).includes('made_admin by Alice in Team'), { what: 'Bob told he is an admin' });

    // Bob mentions Alice, Dave (not a member) and himself; Carol replies to Alice's message.
    const b = connectClient(server.wsUrl, bob.token);
    const c = connectClient(server.wsUrl, carol.token);
    const aBucket = a.open(bucketDoc(room, 0));
    const bBucket = b.open(bucketDoc(room, 0));
    const cBucket = c.open(bucketDoc(room, 0));
    await Promise.all([aBucket.synced, bBucket.synced, cBucket.synced]);
    const fromAlice = message(alice.id, 'lunch at noon?');
    appendMessage(aBucket.doc, fromAlice);
    const mention = { ...message(bob.id, '@Alice @Dave @Bob see this'), mentions: [alice.id, dave.id, bob.id] };
    appendMessage(bBucket.doc, mention);
    await waitFor(() => readNotifications(aInbox!.doc).some((n) => n.kind === 'mention'), { what: 'Alice told of the mention' });
    appendMessage(cBucket.doc, { ...message(carol.id, 'yes, noon works'), replyTo: fromAlice.id });
    await waitFor(() => readNotifications(aInbox!.doc).some((n) => n.kind === 'reply'), { what: 'Alice told of the reply' });

    // Alice removes Carol.
    removeMember(head.doc, carol.id);
    await a.settled();
    await waitFor(() => summary(cInbox!).includes('removed by Alice in Team'), { what: 'Carol told she was removed' });
    await server.projections.idle();

    expect(summary(aInbox!)).toEqual(['reply by Carol in Team', 'mention by Bob in Team']);
    const [reply, mentioned] = readNotifications(aInbox!.doc);
    expect(mentioned).toMatchObject({ roomId: room, messageId: mention.id, bucket: 0, actorId: bob.id, preview: '@Alice @Dave @Bob see this' });
    expect(reply).toMatchObject({ messageId: expect.any(String), preview: 'yes, noon works', actorId: carol.id });
    expect(summary(bInbox!)).toEqual(['made_admin by Alice in Team', 'added by Alice in Team']);
    expect(summary(cInbox!)).toEqual(['removed by Alice in Team', 'added by Alice in Team']);
    // Dave is in no list of the group, and his own is empty; the reply was to Alice, so it is not in Bob's.
    expect(readNotifications(dInbox!.doc)).toEqual([]);
    expect(unreadNotificationCount(aInbox!.doc)).toBe(2);
  });

  it('costs no durable write of its own: a message that notifies every member commits as many transactions as one that notifies nobody', async () => {
    const server = await startServer();
    const people = (await Promise.all(['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank'].map((n) => registerUser(server.url, n)))) as TestUser[];
    const [alice, ...others] = people as [TestUser, ...TestUser[]];
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name: 'Crew', owner: alice.id, members: others.map((u) => u.id), now: Date.now() });
    await a.settled();
    await server.projections.idle();
    const bucket = a.open(bucketDoc(room, 0));
    await bucket.synced;
    const inboxes = await Promise.all(others.map((u) => inboxOf(server, u)));
    /** Durable transactions of one message, from its append to its projection. */
    const cost = async (text: string, mentions?: string[]) => {
      const before = server.store.writeStats.transactions;
      appendMessage(bucket.doc, { ...message(alice.id, text), ...(mentions ? { mentions } : {}) } as never);
      await a.settled();
      await server.projections.idle();
      return server.store.writeStats.transactions - before;
    };
    // The bucket's first projection also creates its watermark row and such: measured after it.
    await cost('first');
    const plain = await cost('hello all');
    const mentioning = await cost(
      '@all of you',
      others.map((u) => u.id),
    );
    await waitFor(() => inboxes.every((inbox) => readNotifications(inbox.doc).length === 2), { what: 'every member told of the mention' });
    expect(mentioning).toBe(plain);
    expect(plain).toBeLessThanOrEqual(2);
  });

  it("refuses a client write to the list, the owner's included, and keeps the list as the server wrote it", async () => {
    const server = await startServer();
    const { alice, bob, room, bBucket } = await startDm(server);
    const aInbox = await inboxOf(server, alice);
    appendMessage(bBucket.doc, { ...message(bob.id, 'hey @Alice'), mentions: [alice.id] });
    await waitFor(() => readNotifications(aInbox.doc).length === 1, { what: "the mention in Alice's list" });

    const forged: Notification = { key: `mention:${newMessageId()}`, kind: 'mention', roomId: room, actorId: bob.id, actorName: 'Bob', roomTitle: 'Bob', preview: 'pay me', at: Date.now() };
    for (const writer of [alice, bob]) {
      const attempt = connectClient(server.wsUrl, writer.token).open(inboxDoc(alice.id));
      if (writer === bob) {
        await expect(attempt.refused).resolves.toBeTruthy();
        continue;
      }
      await attempt.synced;
      const close = nextClose(attempt);
      addNotifications(attempt.doc, [forged]);
      await expect(close.closed).resolves.toBe('rejected_update:server-only');
    }
    const fresh = await inboxOf(server, alice);
    expect(readNotifications(fresh.doc).map((n) => n.preview)).toEqual(['hey @Alice']);
    expect(readNotifications(aInbox.doc).map((n) => n.preview)).toEqual(['hey @Alice']);
  });

  it('syncs marking read to a second device of the same person', async () => {
    const server = await startServer();
    const { alice, bob, bBucket } = await startDm(server);
    const laptop = await inboxOf(server, alice);
    const phone = await inboxOf(server, alice);
    appendMessage(bBucket.doc, { ...message(bob.id, 'one @Alice'), mentions: [alice.id] });
    appendMessage(bBucket.doc, { ...message(bob.id, 'two @Alice'), mentions: [alice.id] });
    await waitFor(() => unreadNotificationCount(phone.doc) === 2, { what: 'two unread on the phone' });

    const [newest] = readNotifications(laptop.doc);
    markNotificationRead(laptop.doc, newest!.key, Date.now());
    await waitFor(() => unreadNotificationCount(phone.doc) === 1, { what: 'one read on the laptop, read on the phone' });
    markAllNotificationsRead(laptop.doc);
    await waitFor(() => unreadNotificationCount(phone.doc) === 0, { what: 'all read on the phone' });
    const later = await inboxOf(server, alice);
    expect(unreadNotificationCount(later.doc)).toBe(0);
    expect(readNotifications(later.doc)).toHaveLength(2);
  });

  it('shows an edit, then a deletion for everyone, in the preview of the notification', async () => {
    const server = await startServer();
    const { alice, bob, bBucket } = await startDm(server);
    const aInbox = await inboxOf(server, alice);
    const sent = { ...message(bob.id, 'the code is 4711 @Alice'), mentions: [alice.id] };
    appendMessage(bBucket.doc, sent);
    // Another message after it, so it is no longer the chat's last: only the notification quotes it.
    appendMessage(bBucket.doc, message(bob.id, 'ok?'));
    const preview = () => readNotifications(aInbox.doc)[0]?.preview;
    await waitFor(() => preview() === 'the code is 4711 @Alice', { what: 'the mention listed' });
    editMessage(bBucket.doc, sent.id, 'the code is **** @Alice', Date.now());
    await waitFor(() => preview() === 'the code is **** @Alice', { what: 'the edit in the notification' });
    deleteForEveryone(bBucket.doc, sent.id, bob.id, Date.now());
    await waitFor(() => preview() === DELETED_MESSAGE_TEXT, { what: 'the deletion in the notification' });
    expect(readNotifications(aInbox.doc)).toHaveLength(1);
  });

  reactionNotificationSuite(() => startServer());

  it(`keeps at most ${MAX_NOTIFICATIONS} items, the newest`, async () => {
    const server = await startServer();
    const { alice, bob, bBucket } = await startDm(server);
    const aInbox = await inboxOf(server, alice);
    const total = MAX_NOTIFICATIONS + 15;
    for (let i = 0; i < total; i++) {
      appendMessage(bBucket.doc, { ...message(bob.id, `ping ${i} @Alice`), mentions: [alice.id] });
      // Spread over several projections, so the cap is applied across writes and within one.
      if (i % 40 === 39) await server.projections.idle();
    }
    await waitFor(() => readNotifications(aInbox.doc).some((n) => n.preview === `ping ${total - 1} @Alice`), { what: 'the last mention listed', timeoutMs: 20_000 });
    await server.projections.idle();
    const list = readNotifications(aInbox.doc);
    expect(list).toHaveLength(MAX_NOTIFICATIONS);
    const kept = new Set(list.map((n) => n.preview));
    expect(kept.has(`ping ${total - 1} @Alice`)).toBe(true);
    // The items are dropped oldest first: the first projection's are gone.
    expect(kept.has('ping 0 @Alice')).toBe(false);
  });
});
