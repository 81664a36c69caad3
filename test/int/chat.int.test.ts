import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, deleteForEveryone, DELETED_MESSAGE_TEXT, editMessage } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket, initDm, initGroup } from '#schema/docs/roomHead';
import { dmRoomId, newGroupId, type RoomId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { message, startDm, texts } from '../helpers/dm';

describe('chat between real providers on a real server', () => {
  it('two users exchange DM messages, in the same order on both sides, and both chat lists show the chat', async () => {
    const server = await startServer();
    const { alice, bob, room, b, aBucket, bBucket } = await startDm(server);

    appendMessage(aBucket.doc, message(alice.id, 'hi Bob'));
    await waitFor(() => texts(bBucket.doc).length === 1, { what: 'Bob receives the message' });
    appendMessage(bBucket.doc, message(bob.id, 'hi Alice'));
    await waitFor(() => texts(aBucket.doc).length === 2, { what: 'Alice receives the reply' });
    appendMessage(aBucket.doc, message(alice.id, 'how are you?'));
    await waitFor(() => texts(aBucket.doc).length === 3 && texts(bBucket.doc).length === 3, { what: 'both have 3 messages' });
    expect(texts(aBucket.doc)).toEqual(texts(bBucket.doc));
    expect(texts(aBucket.doc)).toEqual(['hi Bob', 'hi Alice', 'how are you?']);

    const bInbox = b.open(inboxDoc(bob.id));
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room && c.count === 3), { what: "Bob's chat index entry" });
    const entry = readChats(bInbox.doc)[0]!;
    expect(entry).toMatchObject({ kind: 'dm', title: 'Alice', peerId: alice.id, count: 3 });
    expect(entry.lastMessage).toMatchObject({ preview: 'how are you?', authorName: 'Alice' });
  });

  it('shows an edited or deleted last message in the chat list as the chat shows it', async () => {
    const server = await startServer();
    const { alice, bob, room, b, aBucket } = await startDm(server);
    const bInbox = b.open(inboxDoc(bob.id));
    await bInbox.synced;
    const sent = message(alice.id, 'meet at 7');
    appendMessage(aBucket.doc, sent);
    const preview = () => readChats(bInbox.doc).find((c) => c.roomId === room)?.lastMessage?.preview;
    await waitFor(() => preview() === 'meet at 7', { what: 'the preview of the new message' });

    editMessage(aBucket.doc, sent.id, 'meet at 8', Date.now());
    await waitFor(() => preview() === 'meet at 8', { what: 'the preview to show the edit' });
    deleteForEveryone(aBucket.doc, sent.id, alice.id, Date.now());
    await waitFor(() => preview() === DELETED_MESSAGE_TEXT, { what: 'the preview to show the deletion' });
    expect(readChats(bInbox.doc)[0]?.count).toBe(1);
  });

  it('group members exchange messages; a non-member is refused every doc of the group', async () => {
    const server = await startServer();
    const [alice, bob, carol, mallory] = (await Promise.all((['Alice', 'Bob', 'Carol', 'Mallory'] as const).map((n) => registerUser(server.url, n)))) as [TestUser, TestUser, TestUser, TestUser];
    const room = newGroupId();
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name: 'Trip', owner: alice.id, members: [bob.id, carol.id], now: Date.now() });
    await a.settled();
    await server.projections.idle();

    const bInbox = connectClient(server.wsUrl, bob.token).open(inboxDoc(bob.id));
    await waitFor(() => readChats(bInbox.doc).find((c) => c.roomId === room && c.title === 'Trip'), { what: 'group in Bob’s list' });

    const aBucket = a.open(bucketDoc(room, 0));
    const b = connectClient(server.wsUrl, bob.token);
    const c = connectClient(server.wsUrl, carol.token);
    const bBucket = b.open(bucketDoc(room, 0));
    const cBucket = c.open(bucketDoc(room, 0));
    await Promise.all([aBucket.synced, bBucket.synced, cBucket.synced]);
    appendMessage(bBucket.doc, message(bob.id, 'from Bob'));
    appendMessage(cBucket.doc, message(carol.id, 'from Carol'));
    appendMessage(aBucket.doc, message(alice.id, 'from Alice'));
    await waitFor(() => [aBucket, bBucket, cBucket].every((x) => texts(x.doc).length === 3), { what: 'all three have every message' });
    expect(texts(bBucket.doc)).toEqual(texts(aBucket.doc));
    expect(texts(cBucket.doc)).toEqual(texts(aBucket.doc));

    const m = connectClient(server.wsUrl, mallory.token);
    await expect(m.open(roomHeadDoc(room)).refused).resolves.toBe('forbidden');
    const mBucket = m.open(bucketDoc(room, 0));
    await expect(mBucket.refused).resolves.toBe('forbidden');
    expect(texts(mBucket.doc)).toEqual([]);
    await expect(m.open(inboxDoc(alice.id)).refused).resolves.toBe('forbidden');
  });

  it('refuses a bad token and an unknown doc name with the documented reasons', async () => {
    const server = await startServer();
    const alice = await registerUser(server.url, 'Alice');
    await expect(connectClient(server.wsUrl, 'not-a-token').open(inboxDoc(alice.id)).refused).resolves.toBe('unauthorized');
    await expect(connectClient(server.wsUrl, alice.token).open('room/../../etc').refused).resolves.toBe('unknown_doc');
    await expect(connectClient(server.wsUrl, alice.token).open(`room/dm.${alice.id}.${alice.id}`).refused).resolves.toBe('unknown_doc');
  });

  it('keeps every acknowledged message across a server restart', async () => {
    const server = await startServer();
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const room = dmRoomId(alice.id, bob.id);
    const a = connectClient(server.wsUrl, alice.token);
    const bucket = a.open(bucketDoc(room, 0));
    await bucket.synced;
    for (let i = 0; i < 20; i++) appendMessage(bucket.doc, message(alice.id, `message ${i}`));
    await a.settled();
    a.close();

    const restarted = await server.restart();
    const b = connectClient(restarted.wsUrl, bob.token);
    const again = b.open(bucketDoc(room, 0));
    await again.synced;
    expect(texts(again.doc)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
    await restarted.close();
  });

  it('folds the update log into a snapshot and loads from it after a restart', async () => {
    // Docs the server opened stay loaded for a while (`JECO_SERVER_DOC_HOLD_MS`): here the unload is how the test knows the bucket was stored.
    const server = await startServer({ env: { JECO_COMPACT_AFTER_UPDATES: '5', JECO_SERVER_DOC_HOLD_MS: '0' } });
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const name = bucketDoc(dmRoomId(alice.id, bob.id), 0);
    const a = connectClient(server.wsUrl, alice.token);
    const bucket = a.open(name);
    await bucket.synced;
    for (let i = 0; i < 12; i++) {
      appendMessage(bucket.doc, message(alice.id, `message ${i}`));
      await a.settled();
    }
    expect((await server.store.loadDoc(name)).updates.length).toBe(12);
    a.close();
    // The last connection closing stores the doc, which compacts it.
    await waitFor(async () => (await server.store.loadDoc(name)).updates.length === 0, { what: 'the log to be compacted' });
    expect((await server.store.loadDoc(name)).snapshot).not.toBeNull();

    const restarted = await server.restart();
    const again = connectClient(restarted.wsUrl, bob.token).open(name);
    await again.synced;
    expect(texts(again.doc)).toEqual(Array.from({ length: 12 }, (_, i) => `message ${i}`));
  });

  it('counts a doc’s log only once enough changes gathered to compact it', async () => {
    // Docs the server opened stay loaded for a while (`JECO_SERVER_DOC_HOLD_MS`): here the unload is how the test knows the bucket was stored.
    const server = await startServer({ env: { JECO_COMPACT_AFTER_UPDATES: '5', JECO_SERVER_DOC_HOLD_MS: '0' } });
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const name = bucketDoc(dmRoomId(alice.id, bob.id), 0);
    const counted: string[] = [];
    const countUpdates = server.store.countUpdates.bind(server.store);
    server.store.countUpdates = (docName) => {
      counted.push(docName);
      return countUpdates(docName);
    };
    const send = async (words: string[]) => {
      const a = connectClient(server.wsUrl, alice.token);
      const bucket = a.open(name);
      await bucket.synced;
      for (const text of words) {
        appendMessage(bucket.doc, message(alice.id, text));
        await a.settled();
      }
      a.close();
      // The last connection closing stores the doc and unloads it.
      await waitFor(() => !server.hocuspocus.documents.has(name), { what: 'the bucket to be stored and unloaded' });
    };
    await send(['one', 'two', 'three']);
    expect(counted).not.toContain(name);
    expect((await server.store.loadDoc(name)).updates.length).toBe(3);
    // Three rows loaded and three more: the store counts them, and compacts.
    await send(['four', 'five', 'six']);
    expect(counted).toContain(name);
    const log = await server.store.loadDoc(name);
    expect(log.updates.length).toBe(0);
    expect(log.snapshot).not.toBeNull();
    await server.close();
  });

  it('leaves an open doc’s log to grow ten times longer before compacting it, and compacts it at the usual length once nobody has it open', async () => {
    const server = await startServer({ env: { JECO_COMPACT_AFTER_UPDATES: '2', JECO_SERVER_DOC_HOLD_MS: '0' } });
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const name = bucketDoc(dmRoomId(alice.id, bob.id), 0);
    const stored: string[] = [];
    server.hocuspocus.configuration.extensions.push({ afterStoreDocument: async ({ documentName }) => void stored.push(documentName) });
    const a = connectClient(server.wsUrl, alice.token);
    const bucket = a.open(name);
    await bucket.synced;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        appendMessage(bucket.doc, message(alice.id, `message ${i}`));
        await a.settled();
      }
    };
    // Five rows, past 2 but short of 20: the debounced store leaves them while Alice has the chat open.
    await send(5);
    stored.length = 0;
    await waitFor(() => stored.includes(name), { what: 'the debounced store of the open bucket', timeoutMs: 15_000 });
    expect((await server.store.loadDoc(name)).updates.length).toBe(5);
    // Twenty rows: the next debounced store compacts, with the chat still open.
    await send(15);
    await waitFor(async () => (await server.store.loadDoc(name)).updates.length === 0, { what: 'the open bucket compacted at 20 rows', timeoutMs: 15_000 });
    // Three more, then Alice leaves: stored as nobody has it open, compacted at 2.
    await send(3);
    expect((await server.store.loadDoc(name)).updates.length).toBe(3);
    a.close();
    await waitFor(async () => (await server.store.loadDoc(name)).updates.length === 0, { what: 'the closed bucket compacted' });
    const again = connectClient(server.wsUrl, bob.token).open(name);
    await again.synced;
    expect(texts(again.doc)).toHaveLength(23);
    await server.close();
  });

  it('logs a message once when a second tab forwards it too', async () => {
    const server = await startServer();
    const { alice, room, aBucket } = await startDm(server);
    const secondTab = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await secondTab.synced;
    // The tabs' own channel hands the second tab the first tab's update; its provider sends it as well.
    aBucket.doc.on('update', (update: Uint8Array) => Y.applyUpdate(secondTab.doc, update, 'other tab'));
    appendMessage(aBucket.doc, message(alice.id, 'said once'));
    await waitFor(() => !aBucket.provider.hasUnsyncedChanges && !secondTab.provider.hasUnsyncedChanges, { what: 'both tabs acknowledged' });
    const log = await server.store.loadDoc(bucketDoc(room, 0));
    expect(log.updates.length).toBe(1);
  });

  it('logs each message once when a second tab forwards it while the first append still waits for its commit', async () => {
    // Commits at most every 100 ms: the second message waits behind the first one's commit for
    // that long, so the second tab's copy of it arrives while its append is still in flight.
    const server = await startServer({ env: { JECO_COMMIT_SPACING_MS: '100' } });
    const { alice, room, aBucket } = await startDm(server);
    const secondTab = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await secondTab.synced;
    aBucket.doc.on('update', (update: Uint8Array) => Y.applyUpdate(secondTab.doc, update, 'other tab'));
    appendMessage(aBucket.doc, message(alice.id, 'first'));
    appendMessage(aBucket.doc, message(alice.id, 'second'));
    await waitFor(() => !aBucket.provider.hasUnsyncedChanges && !secondTab.provider.hasUnsyncedChanges, { what: 'both tabs acknowledged' });
    const log = await server.store.loadDoc(bucketDoc(room, 0));
    expect(log.updates.length).toBe(2);
    const reloaded = new Y.Doc();
    for (const update of log.updates) Y.applyUpdate(reloaded, update);
    expect(texts(reloaded)).toEqual(['first', 'second']);
  });

  it('rolls the head bucket forward when a bucket is full and keeps the order across buckets', async () => {
    const server = await startServer({ bucketSize: 5 });
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const room: RoomId = dmRoomId(alice.id, bob.id);
    const a = connectClient(server.wsUrl, alice.token);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initDm(head.doc, alice.id, Date.now());

    // Alice writes 12 messages, each into whatever bucket the head names at the time.
    const buckets = new Map<number, ReturnType<typeof a.open>>();
    for (let i = 0; i < 12; i++) {
      const n = headBucket(head.doc);
      if (!buckets.has(n)) {
        buckets.set(n, a.open(bucketDoc(room, n)));
        await buckets.get(n)!.synced;
      }
      appendMessage(buckets.get(n)!.doc, message(alice.id, `m${i}`));
      await a.settled();
      await server.projections.idle();
      if ((i + 1) % 5 === 0) await waitFor(() => headBucket(head.doc) === (i + 1) / 5, { what: `head moves to ${(i + 1) / 5}` });
    }
    expect(headBucket(head.doc)).toBe(2);

    // Bob reads history bucket by bucket, oldest first, and sees one ordered timeline.
    const b = connectClient(server.wsUrl, bob.token);
    const bHead = b.open(roomHeadDoc(room));
    await bHead.synced;
    const timeline: string[] = [];
    for (let n = 0; n <= headBucket(bHead.doc); n++) {
      const bucket = b.open(bucketDoc(room, n));
      await bucket.synced;
      timeline.push(...texts(bucket.doc));
    }
    expect(timeline).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });
});
