import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket, initGroup, removeMember } from '#schema/docs/roomHead';
import { newGroupId, type RoomId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient, type TestClient } from '../helpers/client';
import { message, texts } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** A bucket as read: system lines as `[type]`, people's messages as their text. */
function timeline(doc: Y.Doc): string[] {
  return readMessages(doc).map((m) => (m.event ? `[${m.event.type}]` : m.text));
}

async function people<const N extends readonly string[]>(server: TestServer, names: N): Promise<{ [K in keyof N]: TestUser }> {
  return (await Promise.all(names.map((n) => registerUser(server.url, n)))) as { [K in keyof N]: TestUser };
}

/** Alice's group with Bob and Carol, created and projected; Alice's client and head returned. */
async function group(server: TestServer, alice: TestUser, others: TestUser[]): Promise<{ room: RoomId; a: TestClient; head: Y.Doc }> {
  const room = newGroupId();
  const a = connectClient(server.wsUrl, alice.token);
  const head = a.open(roomHeadDoc(room));
  await head.synced;
  initGroup(head.doc, { name: 'Trip', owner: alice.id, members: others.map((o) => o.id), now: Date.now() });
  await a.settled();
  await server.projections.idle();
  return { room, a, head: head.doc };
}

describe('a group’s buckets and its members’ time in it', () => {
  it('a bucket of a group not yet in the store is refused as retryable, so "created" is always its first line', async () => {
    const server = await startServer();
    const [alice, bob] = await people(server, ['Alice', 'Bob']);
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    // As a device back online with a group made offline: the bucket asks first.
    const early = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await expect(early.refused).resolves.toBe('out_of_order:group-not-created');
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    // Written "offline" ten seconds ago, then its first message a second later.
    const createdAt = Date.now() - 10_000;
    initGroup(head.doc, { name: 'Plane', owner: alice.id, members: [bob.id], now: createdAt });
    await a.settled();
    await server.projections.idle();

    const bucket = a.open(bucketDoc(room, 0));
    await bucket.synced;
    await waitFor(() => timeline(bucket.doc).length === 1, { what: 'the created line' });
    appendMessage(bucket.doc, { ...message(alice.id, 'Hello from the plane'), createdAt: createdAt + 1_000 });
    await a.settled();
    await server.projections.idle();
    expect(timeline(bucket.doc)).toEqual(['[created]', 'Hello from the plane']);
    // The line reads at the time the group was made, before the message.
    expect(readMessages(bucket.doc)[0]!.createdAt).toBe(createdAt);

    // Bob's chat list previews the message, not "created group", and counts it unread.
    const bInbox = connectClient(server.wsUrl, bob.token).open(inboxDoc(bob.id));
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room)?.lastMessage?.preview === 'Hello from the plane', { what: 'Bob’s preview of the message' });
    const entry = readChats(bInbox.doc).find((c) => c.roomId === room)!;
    expect(entry.count).toBe(1);
    expect(entry.lastMessage?.position).toEqual({ bucket: 0, index: 1 });
  });

  it('a removed member reads, read-only, the buckets up to the line that removed them; a bucket after it is refused', async () => {
    const server = await startServer({ bucketSize: 1000 });
    const [alice, bob, carol] = await people(server, ['Alice', 'Bob', 'Carol']);
    const { room, a, head } = await group(server, alice, [bob, carol]);
    const aBucket = a.open(bucketDoc(room, 0));
    await aBucket.synced;
    appendMessage(aBucket.doc, message(alice.id, 'before'));
    await a.settled();
    await server.projections.idle();

    // Carol never opened the group. Alice removes her.
    removeMember(head, carol.id);
    await a.settled();
    await server.projections.idle();
    // The head moved past the bucket with the removal line: what comes next goes there. The
    // server's rollover is stored once the projections are idle; Alice's copy hears of it by
    // broadcast a moment later.
    await waitFor(() => headBucket(head) === 1, { what: "the head's rollover to reach Alice" });
    expect(headBucket(head)).toBe(1);
    const after = a.open(bucketDoc(room, 1));
    await after.synced;
    appendMessage(after.doc, message(alice.id, 'after'));
    await a.settled();

    const c = connectClient(server.wsUrl, carol.token);
    const old = c.open(bucketDoc(room, 0));
    await old.synced;
    expect(timeline(old.doc)).toEqual(['[created]', 'before', '[removed]']);
    expect(readMessages(old.doc)[2]!.event?.target).toBe(carol.id);
    // The attack: the bucket written after the removal, and the head.
    const later = c.open(bucketDoc(room, 1));
    await expect(later.refused).resolves.toBe('forbidden');
    expect(texts(later.doc)).toEqual([]);
    await expect(c.open(roomHeadDoc(room)).refused).resolves.toBe('forbidden');
    await expect(c.open(bucketDoc(room, 2)).refused).resolves.toBe('forbidden');

    // Read-only: what she writes into her old bucket is dropped and never reaches anyone.
    appendMessage(old.doc, message(carol.id, 'sneaking in'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(texts(aBucket.doc)).toEqual(['before']);
    const stored = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
    await stored.synced;
    expect(texts(stored.doc)).toEqual(['before']);

    // A later change to the group (a rename, Bob removed) does not cut her reading connection off.
    removeMember(head, bob.id);
    await a.settled();
    await server.projections.idle();
    expect(old.provider.isSynced).toBe(true);
    // Bob, removed after Carol, reads up to his own line, which sits in bucket 1.
    const b = connectClient(server.wsUrl, bob.token);
    const bobsLast = b.open(bucketDoc(room, 1));
    await bobsLast.synced;
    expect(timeline(bobsLast.doc)).toEqual(['after', '[removed]']);
    await expect(b.open(bucketDoc(room, 2)).refused).resolves.toBe('forbidden');
    // Carol's span did not grow with Bob's.
    await expect(connectClient(server.wsUrl, carol.token).open(bucketDoc(room, 1)).refused).resolves.toBe('forbidden');
  });

  it('a member with the chat open when removed gets the line that removed them', async () => {
    const server = await startServer({ bucketSize: 1000 });
    const [alice, bob] = await people(server, ['Alice', 'Bob']);
    const { room, head, a } = await group(server, alice, [bob]);
    const b = connectClient(server.wsUrl, bob.token);
    const bBucket = b.open(bucketDoc(room, 0));
    await bBucket.synced;
    removeMember(head, bob.id);
    await a.settled();
    await server.projections.idle();
    await waitFor(() => timeline(bBucket.doc).length === 2, { what: 'the removal line on Bob’s open bucket' });
    expect(timeline(bBucket.doc)).toEqual(['[created]', '[removed]']);
    // And then nothing more: what Alice writes next goes to the next bucket, refused to him.
    const next = a.open(bucketDoc(room, headBucket(head)));
    await next.synced;
    appendMessage(next.doc, message(alice.id, 'after Bob'));
    await a.settled();
    await expect(b.open(bucketDoc(room, headBucket(head))).refused).resolves.toBe('forbidden');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(timeline(bBucket.doc)).toEqual(['[created]', '[removed]']);
  });
});
