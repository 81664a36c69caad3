import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { appendMessage, deleteForEveryone, editMessage } from '#schema/docs/bucket';
import { bucketDoc, inboxDoc, roomHeadDoc, type DocName } from '#schema/docs/names';
import { newGroupId, newMessageId, newUserId, type MessageId } from '#schema/ids';
import { localDbName } from '../sync/replica';
import { LocalMessageIndex } from './localMessageIndex';
import { searchMessages } from './searchMessages';

const me = newUserId();
const room = newGroupId();

/** Writes to a local replica the way the app does: a Y.Doc bound to its y-indexeddb database. */
async function writeReplica(userId: string, name: DocName, change: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(localDbName(userId, name), doc);
  await persistence.whenSynced;
  change(doc);
  await persistence.destroy();
  doc.destroy();
}

function append(doc: Y.Doc, text: string): MessageId {
  const id = newMessageId();
  appendMessage(doc, { id, authorId: me, createdAt: Date.now(), text });
  return id;
}

const texts = (index: LocalMessageIndex, query: string) =>
  searchMessages(query, index.all())
    .hits.map((h) => h.text)
    .sort();
const databases = async () => (await indexedDB.databases()).map((d) => d.name).sort();

afterEach(async () => {
  await Promise.all((await indexedDB.databases()).map((d) => new Promise((resolve) => (indexedDB.deleteDatabase(d.name!).onsuccess = resolve))));
});

describe('LocalMessageIndex', () => {
  test("reads this user's bucket replicas only, and keeps up with changes made to them", async () => {
    let edited!: MessageId;
    let deleted!: MessageId;
    await writeReplica(me, bucketDoc(room, 0), (doc) => {
      append(doc, 'lunch at noon?');
      edited = append(doc, 'meet at the station');
      deleted = append(doc, 'the secret plan');
    });
    await writeReplica(me, bucketDoc(room, 1), (doc) => void append(doc, 'lunch again tomorrow'));
    // Not buckets, or not this user's: never searched.
    await writeReplica(me, roomHeadDoc(room), (doc) => doc.getMap('meta').set('name', 'lunch club'));
    await writeReplica(me, inboxDoc(me), (doc) => doc.getMap('state').set('note', 'lunch'));
    await writeReplica(newUserId(), bucketDoc(room, 0), (doc) => void append(doc, "someone else's lunch"));

    const index = new LocalMessageIndex(me);
    expect(await index.refresh()).toBe(true);
    expect(index.size()).toBe(4);
    expect(texts(index, 'lunch')).toEqual(['lunch again tomorrow', 'lunch at noon?']);
    expect(index.holds(room, edited)).toBe(true);

    // Nothing changed: nothing is read again.
    const before = await databases();
    expect(await index.refresh()).toBe(false);
    expect(await databases()).toEqual(before);

    // An edit and a deletion for everyone, written by the chat (or another tab, or the server through it).
    await writeReplica(me, bucketDoc(room, 0), (doc) => {
      editMessage(doc, edited, 'meet at the airport', Date.now());
      deleteForEveryone(doc, deleted, me, Date.now());
    });
    expect(await index.refresh()).toBe(true);
    expect(texts(index, 'airport')).toEqual(['meet at the airport']);
    expect(texts(index, 'station')).toEqual([]);
    expect(texts(index, 'secret')).toEqual([]);

    // A new bucket appears; a wiped one goes.
    await writeReplica(me, bucketDoc(room, 2), (doc) => void append(doc, 'lunch on Friday'));
    await new Promise((resolve) => (indexedDB.deleteDatabase(localDbName(me, bucketDoc(room, 1))).onsuccess = resolve));
    expect(await index.refresh()).toBe(true);
    expect(texts(index, 'lunch')).toEqual(['lunch at noon?', 'lunch on Friday']);
    expect(index.rooms()).toEqual(new Set([room]));

    // A chat whose older buckets never reached the device: its own search says so.
    const other = newGroupId();
    await writeReplica(me, bucketDoc(other, 4), (doc) => void append(doc, 'recent news'));
    await index.refresh();
    expect(index.oldestBucket(other)).toBe(4);
    expect(index.oldestBucket(room)).toBe(0);
    expect(index.oldestBucket(newGroupId())).toBe(null);
  });

  test('one read runs at a time: calls while it runs share it', async () => {
    await writeReplica(me, bucketDoc(room, 0), (doc) => void append(doc, 'hello'));
    const index = new LocalMessageIndex(me);
    const [a, b] = [index.refresh(), index.refresh()];
    expect(a).toBe(b);
    expect(await a).toBe(true);
    expect(index.loading()).toBe(false);
  });
});
