import { describe, expect, it } from 'vitest';
import { appendMessage, BUCKET, readMessages } from '#schema/docs/bucket';
import { INBOX, readChats, setChatEntry } from '#schema/docs/inbox';
import { encodeTypingSignal } from '#schema/api/presence';
import { MAX_MESSAGE_TEXT } from '#schema/docs/message';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket, initDm, readMembers, readMeta, removeMember, renameGroup, setMember } from '#schema/docs/roomHead';
import { dmRoomId } from '#schema/ids';
import { connectClient } from '../helpers/client';
import { watchPresence } from '../helpers/presence';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from './attack';
import { contentOf } from './docContent';
import { expectSameAsServer, groupWorld, indexOf, newMessage, nextClose, texts } from './groupWorld';

describe('the update guard against a member who writes what she may not', async () => {
  const server = await startServer();

  it("refuses Mallory rewriting Alice's message in place", async () => {
    const w = await groupWorld(server);
    // The forged copy keeps the message's id, so it would inherit its edits and deletions.
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => {
        const messages = doc.getArray(BUCKET.messages);
        const at = indexOf(doc, w.aliceMessage.id);
        messages.delete(at, 1);
        messages.insert(at, [{ ...w.aliceMessage, text: 'the trip is cancelled' }]);
      },
      reason: 'rejected_update:message-id',
      observers: [w.alice.bucket.doc, w.bob.bucket.doc],
    });
    expect(readMessages(w.bob.bucket.doc)[indexOf(w.bob.bucket.doc, w.aliceMessage.id)]).toEqual(w.aliceMessage);
  });

  it("refuses Mallory deleting Alice's message item", async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getArray(BUCKET.messages).delete(indexOf(doc, w.aliceMessage.id), 1),
      reason: 'rejected_update:messages-append-only',
      observers: [w.bob.bucket.doc],
    });
    expect(readMessages(w.bob.bucket.doc)).toContainEqual(w.aliceMessage);
  });

  it('refuses a message whose authorId is Alice', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => appendMessage(doc, newMessage(w.alice.user.id, 'I owe Mallory 100 €')),
      reason: 'rejected_update:author',
      observers: [w.bob.bucket.doc],
    });
    expect(texts(w.bob.bucket.doc)).not.toContain('I owe Mallory 100 €');
  });

  it("refuses Mallory editing Alice's message", async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getMap(BUCKET.edits).set(w.aliceMessage.id, { text: 'meet at 6', at: Date.now() }),
      reason: 'rejected_update:edit-author',
      observers: [w.bob.bucket.doc],
    });
    expect(w.bob.bucket.doc.getMap(BUCKET.edits).size).toBe(0);
  });

  it("refuses Mallory writing Alice's reaction", async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getMap(BUCKET.reactions).set(`${w.aliceMessage.id}:${w.alice.user.id}`, '👎'),
      reason: 'rejected_update:reaction-key',
      observers: [w.bob.bucket.doc],
    });
    expect(w.bob.bucket.doc.getMap(BUCKET.reactions).size).toBe(0);
  });

  it("refuses Mallory, a plain member, deleting Alice's message through `deletions`", async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getMap(BUCKET.deletions).set(w.aliceMessage.id, { by: w.mallory.user.id, at: Date.now() }),
      reason: 'rejected_update:admin-only',
      observers: [w.bob.bucket.doc],
    });
    expect(w.bob.bucket.doc.getMap(BUCKET.deletions).size).toBe(0);
  });

  it('refuses a rename by a plain member', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => renameGroup(doc, "Mallory's group"),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMeta(w.bob.head.doc)?.name).toBe('Climbing');
  });

  it('refuses a plain member removing another member', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => removeMember(doc, w.bob.user.id),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.alice.head.doc).has(w.bob.user.id)).toBe(true);
    expect(await server.store.getMemberRole(w.room, w.bob.user.id)).toBe('member');
  });

  it('refuses a plain member making herself admin', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => setMember(doc, w.mallory.user.id, { role: 'admin', addedBy: w.mallory.user.id, addedAt: Date.now() }),
      reason: 'rejected_update:admin-only',
      observers: [w.alice.head.doc, w.bob.head.doc],
    });
    expect(readMembers(w.bob.head.doc).get(w.mallory.user.id)?.role).toBe('member');
    expect(await server.store.getMemberRole(w.room, w.mallory.user.id)).toBe('member');
  });

  it("refuses a DM member moving the DM's head bucket (server only)", async () => {
    const w = await groupWorld(server);
    const dm = roomHeadDoc(dmRoomId(w.alice.user.id, w.mallory.user.id));
    const aliceDm = w.alice.client.open(dm);
    await aliceDm.synced;
    initDm(aliceDm.doc, w.alice.user.id, Date.now());
    await w.alice.client.settled();
    const malloryDm = w.mallory.client.open(dm);
    await malloryDm.synced;
    await expectRefused(w, {
      via: malloryDm,
      write: (doc) => doc.getMap('meta').set('head', 7),
      reason: 'rejected_update:server-only',
      observers: [aliceDm.doc],
    });
    expect(readMeta(aliceDm.doc)?.head).toBe(0);
  });

  it('refuses Mallory writing her own chat index (server only)', async () => {
    const w = await groupWorld(server);
    const inbox = w.mallory.client.open(inboxDoc(w.mallory.user.id));
    const otherDevice = connectClient(server.wsUrl, w.mallory.user.token).open(inboxDoc(w.mallory.user.id));
    await Promise.all([inbox.synced, otherDevice.synced]);
    await expectRefused(w, {
      via: inbox,
      write: (doc) => setChatEntry(doc, w.room, { kind: 'group', title: 'Alice owes me', count: 999, updatedAt: Date.now() }),
      reason: 'rejected_update:server-only',
      observers: [otherDevice.doc],
    });
    expect(readChats(otherDevice.doc).find((c) => c.roomId === w.room)?.title).toBe('Climbing');
    expect(otherDevice.doc.getMap(INBOX.chats).size).toBe(1);
  });

  it("refuses writing with Alice's Yjs client id", async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => {
        // Mallory's replica holds Alice's structs: her next write continues Alice's clock.
        doc.clientID = w.alice.bucket.doc.clientID;
        appendMessage(doc, newMessage(w.mallory.user.id, 'under a borrowed id'));
      },
      reason: 'rejected_update:client-id',
      observers: [w.bob.bucket.doc],
    });
    expect(texts(w.bob.bucket.doc)).not.toContain('under a borrowed id');
  });

  it('refuses an update over the size limit as too_large', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getArray(BUCKET.messages).push([{ ...newMessage(w.mallory.user.id, 'x'.repeat(1_100_000)) }]),
      reason: 'too_large',
      observers: [w.bob.bucket.doc],
    });
  });

  it('refuses a message longer than the message limit', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => appendMessage(doc, newMessage(w.mallory.user.id, 'x'.repeat(MAX_MESSAGE_TEXT + 1))),
      reason: 'rejected_update:message-shape',
      observers: [w.bob.bucket.doc],
    });
  });

  it('refuses a root type no Jeco doc has', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => doc.getMap('admins').set(w.mallory.user.id, true),
      reason: 'rejected_update:unknown-root',
      observers: [w.bob.bucket.doc],
    });
    expect(contentOf(w.bob.bucket.doc)).not.toHaveProperty('admins');
  });
});

describe('the update guard lets people do what their role allows', async () => {
  const server = await startServer();

  it("accepts an admin deleting someone else's message through `deletions`", async () => {
    const w = await groupWorld(server);
    const bobs = await w.stillServed();
    const close = nextClose(w.alice.bucket);
    w.alice.bucket.doc.getMap(BUCKET.deletions).set(bobs.id, { by: w.alice.user.id, at: Date.now() });
    await w.alice.client.settled();
    await waitFor(() => w.bob.bucket.doc.getMap(BUCKET.deletions).has(bobs.id), { what: 'Bob to see his message deleted' });
    expect(w.serverDoc(bucketDoc(w.room, 0)).getMap(BUCKET.deletions).get(bobs.id)).toMatchObject({ by: w.alice.user.id });
    expect(close.reason()).toBeUndefined();
  });

  it('accepts a member leaving, then cuts her off as removed', async () => {
    const w = await groupWorld(server);
    const close = nextClose(w.mallory.bucket);
    removeMember(w.mallory.head.doc, w.mallory.user.id);
    // Leaving is accepted: it reaches the others; then she is no member, so her connections close.
    await waitFor(() => !readMembers(w.alice.head.doc).has(w.mallory.user.id), { what: 'Alice to see Mallory leave' });
    await expect(close.closed).resolves.toBe('removed');
    await expectSameAsServer(w, roomHeadDoc(w.room), w.alice.head.doc);
    expect(await server.store.getMemberRole(w.room, w.mallory.user.id)).toBeNull();
  });

  it("closes a removed member's live connections at once, and sends them nothing after", async () => {
    const w = await groupWorld(server);
    const headClose = nextClose(w.bob.head);
    const bucketClose = nextClose(w.bob.bucket);
    removeMember(w.alice.head.doc, w.bob.user.id);
    await expect(Promise.all([headClose.closed, bucketClose.closed])).resolves.toEqual(['removed', 'removed']);
    // What comes after the removal goes to the bucket the head moved on to.
    await waitFor(() => headBucket(w.alice.head.doc) === 1, { what: 'the head to move past the removal' });
    const [aliceNext, malloryNext] = [w.alice.client.open(bucketDoc(w.room, 1)), w.mallory.client.open(bucketDoc(w.room, 1))];
    await Promise.all([aliceNext.synced, malloryNext.synced]);
    const after = newMessage(w.alice.user.id, 'Bob is out');
    appendMessage(aliceNext.doc, after);
    await waitFor(() => texts(malloryNext.doc).includes(after.text), { what: 'Mallory to receive the message' });
    expect(texts(w.bob.bucket.doc)).toEqual([w.aliceMessage.text]);
    // Bob may read his time in the group again (read-only), never what came after.
    const bob = connectClient(server.wsUrl, w.bob.user.token);
    await expect(bob.open(bucketDoc(w.room, 1)).refused).resolves.toBe('forbidden');
    await expect(bob.open(roomHeadDoc(w.room)).refused).resolves.toBe('forbidden');
    const old = bob.open(bucketDoc(w.room, 0));
    await old.synced;
    expect(texts(old.doc)).toEqual([w.aliceMessage.text]);
  });

  it('shows a member who claims to be Alice in a typing message as himself', async () => {
    const w = await groupWorld(server);
    const seenByBob = watchPresence(w.bob.head);
    // The server's own typing message, naming Alice, sent by Mallory: it goes no further.
    w.mallory.head.provider.sendStateless(JSON.stringify({ typing: { user: w.alice.user.id, name: 'Alice', on: true } }));
    w.mallory.head.provider.sendStateless(encodeTypingSignal(true));
    await waitFor(() => seenByBob.typists().length > 0, { what: 'Bob to see Mallory typing' });
    expect(seenByBob.typists()).toEqual([w.mallory.user.id]);
    expect(seenByBob.typingNames().get(w.mallory.user.id)).toBe('Mallory');
    expect(seenByBob.typingMessages()).toBe(1);
  });
});
