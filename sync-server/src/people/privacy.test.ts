import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Store } from '../store/db/store';
import { addContact, removeContact } from '#schema/docs/contacts';
import { contactsDoc, parseDocName, roomHeadDoc, bucketDoc } from '#schema/docs/names';
import { dmRoomId, newGroupId, newUserId, type UserId } from '#schema/ids';
import { openSqliteStore } from '../store/sqliteStore';
import { Blocks } from './blocks';
import { Privacy } from './privacy';

describe('Privacy (the server side of schema/privacy.ts)', () => {
  let store: Store;
  let now = 1_000;
  let privacy: Privacy;
  let blocks: Blocks;
  const [ann, bob, cat] = [newUserId(), newUserId(), newUserId()];

  /** Writes a change of `owner`'s contacts doc to the store, as the persistence extension would. */
  async function changeContacts(owner: UserId, change: (doc: Y.Doc) => void): Promise<void> {
    const { snapshot, updates } = await store.loadDoc(contactsDoc(owner));
    const doc = new Y.Doc();
    for (const part of snapshot ? [snapshot, ...updates] : updates) Y.applyUpdate(doc, part);
    const before = Y.encodeStateVector(doc);
    change(doc);
    await store.appendUpdate(contactsDoc(owner), Y.encodeStateAsUpdate(doc, before));
  }

  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
    for (const [id, name] of [
      [ann, 'ann'],
      [bob, 'bob'],
      [cat, 'cat'],
    ] as const) {
      await store.createUser({ id, username: name, displayName: name, email: null, passwordHash: 'x', createdAt: 0 });
    }
    blocks = new Blocks(store, () => now);
    privacy = new Privacy(store, blocks, () => now);
  });
  afterEach(() => store.close());

  it('reads contacts from the stored doc when it is not loaded, and caches them for a few seconds', async () => {
    expect(await privacy.inContactsOf(ann, bob)).toBe(false);
    await changeContacts(ann, (doc) => addContact(doc, bob, { addedAt: 1 }));
    // Cached: another node's change shows within the cache's life, not at once.
    expect(await privacy.inContactsOf(ann, bob)).toBe(false);
    now += 5_001;
    expect(await privacy.inContactsOf(ann, bob)).toBe(true);
    expect(await privacy.inContactsOf(ann, cat)).toBe(false);
    // A change through this node forgets the cached set at once.
    await changeContacts(ann, (doc) => removeContact(doc, bob));
    await privacy.extension().onChange!({ documentName: contactsDoc(ann) } as never);
    expect(await privacy.inContactsOf(ann, bob)).toBe(false);
  });

  it("answers what an asker may see from the owner's settings, contacts and blocks", async () => {
    await privacy.set(ann, { lastSeen: 'contacts', profile: 'nobody', groupAdd: 'contacts' });
    await changeContacts(ann, (doc) => addContact(doc, bob, { addedAt: 1 }));
    const row = (await store.getUserById(ann))!;
    expect(await privacy.visibility(bob, row)).toEqual({ presence: true, about: false, mayAddToGroups: true });
    expect(await privacy.visibility(cat, row)).toEqual({ presence: false, about: false, mayAddToGroups: false });
    expect(await privacy.visibility(ann, row)).toEqual({ presence: true, about: true, mayAddToGroups: true });
    expect(await privacy.mayAddToGroup(bob, ann)).toBe(true);
    expect(await privacy.mayAddToGroup(cat, ann)).toBe(false);
    // Blocked by Ann, Bob is out whatever his place in her contacts.
    await blocks.block(ann, bob);
    expect(await privacy.mayAddToGroup(bob, ann)).toBe(false);
  });

  it("lets presence flow in a DM per the owner's setting for the one other person, and in groups only for everyone", async () => {
    const dm = parseDocName(roomHeadDoc(dmRoomId(ann, bob)))!;
    const dmBucket = parseDocName(bucketDoc(dmRoomId(ann, bob), 0))!;
    const group = parseDocName(roomHeadDoc(newGroupId()))!;
    const own = parseDocName(contactsDoc(ann))!;
    expect(await privacy.presenceFlows(dm, ann)).toBe(true);
    await privacy.set(ann, { lastSeen: 'contacts' });
    expect(await privacy.presenceFlows(dm, ann)).toBe(false);
    expect(await privacy.presenceFlows(group, ann)).toBe(false);
    await changeContacts(ann, (doc) => addContact(doc, bob, { addedAt: 1 }));
    now += 5_001;
    expect(await privacy.presenceFlows(dm, ann)).toBe(true);
    expect(await privacy.presenceFlows(dmBucket, ann)).toBe(true);
    expect(await privacy.presenceFlows(group, ann)).toBe(false);
    await privacy.set(ann, { lastSeen: 'nobody' });
    expect(await privacy.presenceFlows(dm, ann)).toBe(false);
    // Reciprocity: Ann, who hides hers from Bob, does not get Bob's either; once she shows hers, she does.
    expect(await privacy.presenceFlows(dm, bob)).toBe(false);
    await privacy.set(ann, { lastSeen: 'everyone' });
    expect(await privacy.presenceFlows(dm, bob)).toBe(true);
    await privacy.set(ann, { lastSeen: 'nobody' });
    // The owner's own docs have no other reader.
    expect(await privacy.presenceFlows(own, ann)).toBe(true);
  });

  it('shows read receipts in a DM only while both have them on; groups always', async () => {
    const dm = parseDocName(roomHeadDoc(dmRoomId(ann, bob)))!;
    const group = parseDocName(roomHeadDoc(newGroupId()))!;
    const roomOf = (ref: typeof dm) => (ref.kind === 'roomHead' ? ref.room : null)!;
    expect(await privacy.readReceiptsShown(roomOf(dm))).toBe(true);
    await privacy.set(bob, { readReceipts: false });
    expect(await privacy.readReceiptsShown(roomOf(dm))).toBe(false);
    expect(await privacy.readReceiptsShown(roomOf(group))).toBe(true);
  });

  it('tells listeners of a change made through it, with all the settings', async () => {
    const seen: unknown[] = [];
    privacy.onChanged((userId, settings) => seen.push([userId, settings]));
    await privacy.set(cat, { readReceipts: false });
    expect(seen).toEqual([[cat, { lastSeen: 'everyone', profile: 'everyone', readReceipts: false, groupAdd: 'everyone' }]]);
  });
});
