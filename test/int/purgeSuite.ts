import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, BUCKET, deleteForEveryone, DELETED_MESSAGE_TEXT, editMessage, readMessages, readShownMessages, setReaction } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc } from '#schema/docs/names';
import { dmRoomId } from '#schema/ids';
import { advanceReceipt, deliveryStatus, readReceipts } from '#schema/docs/receipts';
import { addMembers } from '#schema/docs/roomHead';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startDm } from '../helpers/dm';
import type { TestServer } from '../helpers/server';
import { holdsText as holds } from '../helpers/storedBytes';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from '../guard/attack';
import { groupWorld, newMessage, nextClose, type GroupWorld } from '../guard/groupWorld';

/** The raw bytes a store keeps for a doc: every log row and the snapshot, as read from its tables. */
export type StoredRows = (server: TestServer, docName: string) => Promise<Uint8Array[]>;

/** A text no other bytes could contain by chance. */
const secret = (what: string) => `${what}-${randomBytes(8).toString('hex')}`;

/** Message ids by index, as receipts and chat-index positions count them. */
const order = (doc: Y.Doc) => readMessages(doc).map((m) => m.id);

/** Each member's replica holds exactly `ids` in that order, and none of it holds `text` in its encoded state. */
async function expectReplicas(w: GroupWorld, ids: string[], text: string): Promise<void> {
  for (const doc of [w.alice.bucket.doc, w.bob.bucket.doc, w.mallory.bucket.doc]) {
    await waitFor(() => !holds([Y.encodeStateAsUpdate(doc)], text), { what: 'the replica to lose the text' });
    expect(order(doc)).toEqual(ids);
  }
}

/**
 * Deleted must mean deleted, over a real server and real providers: after a delete for
 * everyone (and after an edit, for the old text) the text is in none of the store's
 * raw rows of the bucket, in no member's replica, and never reaches a member added
 * later; every other message keeps its index. Run against SQLite and Postgres.
 */
export function purgeSuite(start: () => Promise<TestServer>, storedRows: StoredRows): void {
  it('a message deleted for everyone leaves no trace in the stored rows, the replicas or a member added later; positions stay', async () => {
    const server = await start();
    const w = await groupWorld(server);
    const name = bucketDoc(w.room, 0);
    const text = secret('the door code is');
    const before = newMessage(w.bob.user.id, 'what is the code?');
    appendMessage(w.bob.bucket.doc, before);
    await waitFor(() => order(w.alice.bucket.doc).includes(before.id), { what: 'the question to reach Alice' });
    const doomed = { ...newMessage(w.alice.user.id, text), replyTo: before.id, mentions: [w.bob.user.id] };
    appendMessage(w.alice.bucket.doc, doomed);
    await waitFor(() => order(w.bob.bucket.doc).includes(doomed.id), { what: 'the answer to reach Bob' });
    const after = await w.stillServed();
    setReaction(w.bob.bucket.doc, doomed.id, w.bob.user.id, '👍');
    await w.bob.client.settled();
    await waitFor(() => order(w.mallory.bucket.doc).includes(after.id), { what: 'Mallory to have every message' });
    const ids = order(w.alice.bucket.doc);
    // The group's "created" line comes first.
    expect(ids.slice(1)).toEqual([w.aliceMessage.id, before.id, doomed.id, after.id]);
    // Bob has read up to his question: Alice's ticks say "read" for what comes before it only.
    advanceReceipt(w.bob.head.doc, w.bob.user.id, 'read', { bucket: 0, index: ids.indexOf(before.id) }, Date.now());
    const ticks = () => readMessages(w.alice.bucket.doc).map((m, index) => [m.id, deliveryStatus(readReceipts(w.alice.head.doc), [w.bob.user.id], { bucket: 0, index })]);
    await waitFor(() => ticks().some(([, status]) => status === 'read'), { what: "Bob's receipt to reach Alice" });
    const ticksBefore = ticks();
    expect(new Set(ticksBefore.map(([, status]) => status)).size).toBe(2);
    expect(holds(await storedRows(server, name), text)).toBe(true);
    // The chat list's preview is projected a moment after the append (batched): wait for it to be stored.
    await waitFor(async () => holds(await storedRows(server, inboxDoc(w.bob.user.id)), text), { what: "the preview in Bob's stored inbox" });

    deleteForEveryone(w.alice.bucket.doc, doomed.id, w.alice.user.id, Date.now());
    await waitFor(async () => !holds(await storedRows(server, name), text), { what: 'the stored rows to lose the text' });
    // It was the chat's latest message for a while: every member's chat index previewed it.
    for (const seat of [w.alice, w.bob, w.mallory]) {
      await waitFor(async () => !holds(await storedRows(server, inboxDoc(seat.user.id)), text), { what: "the stored inboxes to lose the text's preview" });
    }
    await expectReplicas(w, ids, text);
    expect(ticks()).toEqual(ticksBefore);
    const tombstone = readMessages(w.bob.bucket.doc)[ids.indexOf(doomed.id)];
    expect(tombstone).toEqual({ id: doomed.id, authorId: w.alice.user.id, createdAt: doomed.createdAt, text: '', deleted: true });
    const shown = readShownMessages(w.bob.bucket.doc).find((m) => m.id === doomed.id)!;
    expect(shown.deleted).toBe(true);

    // Honest writes about the purged message and after it still pass.
    setReaction(w.bob.bucket.doc, doomed.id, w.bob.user.id, null);
    const later = newMessage(w.alice.user.id, 'forget it');
    appendMessage(w.alice.bucket.doc, later);
    await Promise.all([w.alice.client.settled(), w.bob.client.settled()]);
    await waitFor(() => order(w.mallory.bucket.doc).includes(later.id), { what: 'the next message to reach Mallory' });
    expect(order(w.mallory.bucket.doc)).toEqual([...ids, later.id]);

    // Carol, added afterwards, reads the history: the tombstone, at its place, and no text.
    const carol = await registerUser(server.url, 'Carol');
    addMembers(w.alice.head.doc, [carol.id], w.alice.user.id, Date.now());
    await w.alice.client.settled();
    await server.projections.idle();
    const carolClient = connectClient(server.wsUrl, carol.token);
    const received: Uint8Array[] = [];
    const carolDoc = new Y.Doc();
    carolDoc.on('update', (update: Uint8Array) => received.push(update));
    const carolBucket = carolClient.open(name, carolDoc);
    await carolBucket.synced;
    expect(order(carolDoc).slice(0, ids.length)).toEqual(ids);
    expect(readShownMessages(carolDoc).find((m) => m.id === doomed.id)?.deleted).toBe(true);
    expect(holds(received, text)).toBe(false);

    // And after a restart the bucket loads from what is stored: still the same places, still no text.
    const restarted = await server.restart();
    const bob = connectClient(restarted.wsUrl, w.bob.user.token).open(name);
    await bob.synced;
    expect(order(bob.doc).slice(0, ids.length)).toEqual(ids);
    expect(holds([Y.encodeStateAsUpdate(bob.doc)], text)).toBe(false);
    expect(holds(await storedRows(restarted, name), text)).toBe(false);
    await restarted.close();
  });

  it('an edit leaves only the latest text: earlier ones are gone from the stored rows and the replicas', async () => {
    const server = await start();
    const w = await groupWorld(server);
    const name = bucketDoc(w.room, 0);
    const original = secret('meet at the old mill');
    const firstEdit = secret('meet at the bridge');
    const secondEdit = secret('meet at the station');
    const sent = newMessage(w.alice.user.id, original);
    appendMessage(w.alice.bucket.doc, sent);
    await waitFor(() => order(w.bob.bucket.doc).includes(sent.id), { what: 'the message to reach Bob' });
    const after = await w.stillServed();
    const ids = order(w.alice.bucket.doc);

    editMessage(w.alice.bucket.doc, sent.id, firstEdit, Date.now());
    await w.alice.client.settled();
    await waitFor(async () => !holds(await storedRows(server, name), original), { what: 'the stored rows to lose the original' });
    editMessage(w.alice.bucket.doc, sent.id, secondEdit, Date.now());
    await w.alice.client.settled();
    await waitFor(async () => !holds(await storedRows(server, name), firstEdit), { what: 'the stored rows to lose the first edit' });
    expect(holds(await storedRows(server, name), original)).toBe(false);
    expect(holds(await storedRows(server, name), secondEdit)).toBe(true);
    await expectReplicas(w, ids, original);
    await expectReplicas(w, ids, firstEdit);
    const shown = readShownMessages(w.bob.bucket.doc).find((m) => m.id === sent.id)!;
    expect(shown).toMatchObject({ text: secondEdit, editedText: secondEdit, edited: true, deleted: false });
    expect(order(w.bob.bucket.doc)).toEqual(ids);
    expect(ids.at(-1)).toBe(after.id);

    // The author edits the purged copy again, as any honest client would.
    editMessage(w.alice.bucket.doc, sent.id, 'meet at home', Date.now());
    await waitFor(() => readShownMessages(w.bob.bucket.doc).find((m) => m.id === sent.id)?.editedText === 'meet at home', { what: 'the next edit to reach Bob' });
    await waitFor(() => readMessages(w.bob.bucket.doc).find((m) => m.id === sent.id)?.text === 'meet at home', { what: 'the next purge to reach Bob' });
    expect(order(w.bob.bucket.doc)).toEqual(ids);

    // Deleted after its edits: the latest edit is its text too, and goes with it.
    deleteForEveryone(w.alice.bucket.doc, sent.id, w.alice.user.id, Date.now());
    // A purge and its compaction queue behind the edit's own on a busy machine: give it the time the other purge steps get in the full suite.
    await waitFor(async () => !holds(await storedRows(server, name), 'meet at home'), { what: 'the stored rows to lose the latest edit', timeoutMs: 15_000 });
    await expectReplicas(w, ids, 'meet at home');
    expect(readShownMessages(w.bob.bucket.doc).find((m) => m.id === sent.id)).toMatchObject({ text: '', deleted: true });
    await server.close();
  });

  it("the chat list's preview of a deleted or edited last message leaves every member's stored inbox", async () => {
    const server = await start();
    const { alice, bob, aBucket, b } = await startDm(server);
    const inbox = b.open(inboxDoc(bob.id));
    await inbox.synced;
    const preview = () => readChats(inbox.doc)[0]?.lastMessage?.preview;
    const [deletedText, editedText] = [secret('call me at'), secret('running late')];

    const doomed = newMessage(alice.id, deletedText);
    appendMessage(aBucket.doc, doomed);
    await waitFor(() => preview() === deletedText, { what: "the message in Bob's chat list" });
    await server.projections.idle();
    expect(holds(await storedRows(server, inboxDoc(bob.id)), deletedText)).toBe(true);
    deleteForEveryone(aBucket.doc, doomed.id, alice.id, Date.now());
    await waitFor(() => preview() === DELETED_MESSAGE_TEXT, { what: 'the preview to show the deletion' });
    for (const user of [alice, bob]) {
      await waitFor(async () => !holds(await storedRows(server, inboxDoc(user.id)), deletedText), { what: 'the stored inbox to lose the text' });
    }

    const edited = newMessage(alice.id, editedText);
    appendMessage(aBucket.doc, edited);
    await waitFor(() => preview() === editedText, { what: 'the next message in the chat list' });
    editMessage(aBucket.doc, edited.id, 'on my way', Date.now());
    await waitFor(() => preview() === 'on my way', { what: 'the preview to show the edit' });
    await waitFor(async () => !holds(await storedRows(server, inboxDoc(bob.id)), editedText), { what: 'the stored inbox to lose the old words' });
    expect(holds([Y.encodeStateAsUpdate(inbox.doc)], editedText)).toBe(false);
    await server.close();
  });

  it('a bucket holding a deletion or an edit that was never purged (a crash in between, older history) is purged before it is served', async () => {
    const server = await start();
    const [alice, bob] = await Promise.all([registerUser(server.url, 'Alice'), registerUser(server.url, 'Bob')]);
    const name = bucketDoc(dmRoomId(alice.id, bob.id), 0);
    const deletedText = secret('old secret');
    const editedText = secret('old wording');
    const history = new Y.Doc();
    const [deleted, edited, kept] = [newMessage(alice.id, deletedText), newMessage(alice.id, editedText), newMessage(bob.id, 'kept')];
    for (const m of [deleted, edited, kept]) appendMessage(history, m);
    deleteForEveryone(history, deleted.id, alice.id, Date.now());
    editMessage(history, edited.id, 'new wording', Date.now());
    await server.store.appendUpdate(name, Y.encodeStateAsUpdate(history));

    const received: Uint8Array[] = [];
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => received.push(update));
    const opened = connectClient(server.wsUrl, bob.token).open(name, doc);
    await opened.synced;
    expect(order(doc)).toEqual([deleted.id, edited.id, kept.id]);
    expect(readShownMessages(doc).map((m) => [m.deleted, m.editedText ?? m.text])).toEqual([
      [true, ''],
      [false, 'new wording'],
      [false, 'kept'],
    ]);
    for (const text of [deletedText, editedText]) {
      expect(holds(received, text)).toBe(false);
      expect(holds(await storedRows(server, name), text)).toBe(false);
    }
    await server.close();
  });

  it('a member cannot put the purged message back, nor write a tombstone of her own', async () => {
    const server = await start();
    const w = await groupWorld(server);
    const text = secret('my address is');
    const doomed = newMessage(w.mallory.user.id, text);
    appendMessage(w.mallory.bucket.doc, doomed);
    await w.mallory.client.settled();
    deleteForEveryone(w.alice.bucket.doc, doomed.id, w.alice.user.id, Date.now());
    await waitFor(() => readMessages(w.mallory.bucket.doc).find((m) => m.id === doomed.id)?.deleted, { what: 'the purge to reach Mallory' });

    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => appendMessage(doc, doomed),
      reason: 'rejected_update:message-id',
      observers: [w.bob.bucket.doc],
    });
    expect(holds([Y.encodeStateAsUpdate(w.bob.bucket.doc)], text)).toBe(false);

    const bob = await w.stillServed();
    const close = nextClose(w.bob.bucket);
    w.bob.bucket.doc.getArray(BUCKET.messages).push([{ ...newMessage(w.bob.user.id, ''), deleted: true }]);
    expect(await close.closed).toBe('rejected_update:server-only');
    expect(readMessages(w.alice.bucket.doc).at(-1)?.id).toBe(bob.id);
    await server.close();
  });
}
