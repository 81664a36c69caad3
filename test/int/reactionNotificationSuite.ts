import { expect, it } from 'vitest';
import { appendMessage, setReaction } from '#schema/docs/bucket';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { markAllNotificationsRead, readNotifications, unreadNotificationCount } from '#schema/docs/notifications';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message } from '../helpers/dm';
import type { TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

async function inboxOf(server: TestServer, user: TestUser): Promise<OpenDoc> {
  const inbox = connectClient(server.wsUrl, user.token).open(inboxDoc(user.id));
  await inbox.synced;
  return inbox;
}

/** Reactions in the notification list, on whichever store `start` gives the server. */
export function reactionNotificationSuite(start: () => Promise<TestServer>): void {
  it('tells Alice that Bob reacted to her message; her own reaction tells nobody; a changed reaction updates its item, a withdrawn one removes it; no durable write of its own', async () => {
    const server = await start();
    const [alice, bob, carol] = (await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => registerUser(server.url, n)))) as [TestUser, TestUser, TestUser];
    const [aInbox, bInbox, cInbox] = await Promise.all([alice, bob, carol].map((u) => inboxOf(server, u)));
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const b = connectClient(server.wsUrl, bob.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name: 'Team', owner: alice.id, members: [bob.id, carol.id], now: Date.now() });
    await a.settled();
    await server.projections.idle();
    const aBucket = a.open(bucketDoc(room, 0));
    const bBucket = b.open(bucketDoc(room, 0));
    await Promise.all([aBucket.synced, bBucket.synced]);
    const hers = message(alice.id, 'The slides are ready for Thursday');
    appendMessage(aBucket.doc, hers);
    await a.settled();
    await server.projections.idle();
    await waitFor(() => bBucket.doc.getArray('messages').length >= 2, { what: 'Bob to have her message' });
    const reactions = (inbox: OpenDoc) => readNotifications(inbox.doc).filter((n) => n.kind === 'reaction');
    /** Durable transactions from a reaction's change to its projection. */
    const cost = async (change: () => void, client: typeof a) => {
      const before = server.store.writeStats.transactions;
      change();
      await client.settled();
      await server.projections.idle();
      return server.store.writeStats.transactions - before;
    };

    setReaction(bBucket.doc, hers.id, bob.id, '👍');
    await b.settled();
    await waitFor(() => reactions(aInbox!).length === 1, { what: "Alice told of Bob's reaction" });
    expect(reactions(aInbox!)[0]).toMatchObject({
      kind: 'reaction',
      key: `reaction:${hers.id}:${bob.id}`,
      emoji: '👍',
      actorId: bob.id,
      actorName: 'Bob',
      roomTitle: 'Team',
      messageId: hers.id,
      bucket: 0,
      preview: 'The slides are ready for Thursday',
    });
    expect(unreadNotificationCount(aInbox!.doc)).toBe(1);

    await server.projections.idle();
    // Her own reaction to her own message notifies nobody.
    const silent = await cost(() => setReaction(aBucket.doc, hers.id, alice.id, '🎉'), a);
    expect(reactions(aInbox!).map((n) => n.actorName)).toEqual(['Bob']);

    // Bob changes his mind: the same item, now ❤️, unread again; still one. It cost what her silent one did:
    // the item rides the projection's one transaction (Bob's first reaction above also claimed his Yjs client id).
    markAllNotificationsRead(aInbox!.doc);
    await waitFor(() => aInbox!.provider.hasUnsyncedChanges === false, { what: 'the read mark to reach the server' });
    expect(unreadNotificationCount(aInbox!.doc)).toBe(0);
    const notifying = await cost(() => setReaction(bBucket.doc, hers.id, bob.id, '❤️'), b);
    expect(notifying).toBe(silent);
    await waitFor(() => reactions(aInbox!)[0]?.emoji === '❤️', { what: 'the item to show ❤️' });
    expect(reactions(aInbox!)).toHaveLength(1);
    expect(unreadNotificationCount(aInbox!.doc)).toBe(1);

    // Withdrawn: the item goes.
    setReaction(bBucket.doc, hers.id, bob.id, null);
    await b.settled();
    await waitFor(() => reactions(aInbox!).length === 0, { what: 'the item to go' });
    await server.projections.idle();
    // Nobody else was told of anything about reactions.
    expect(reactions(bInbox!)).toEqual([]);
    expect(reactions(cInbox!)).toEqual([]);
    // A fresh replica holds what the live one does.
    const fresh = await inboxOf(server, alice);
    expect(reactions(fresh)).toEqual([]);
  });
}
