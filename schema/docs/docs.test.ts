import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newGroupId, newMessageId, newUserId, type UserId } from '../ids';
import { appendMessage, messageCount, onMessagesAdded, readMessages } from './bucket';
import { addContact, readContacts, removeContact } from './contacts';
import { readChats, removeChatEntry, setChatEntry } from './inbox';
import { previewOf } from './message';
import { advanceHead, headBucket, initDm, initGroup, readMembers, readMeta, removeMember } from './roomHead';

const alice = newUserId();
const bob = newUserId();

function sync(from: Y.Doc, to: Y.Doc) {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

describe('room head', () => {
  it('describes a new group with its creator as owner', () => {
    const doc = new Y.Doc();
    initGroup(doc, { name: '  Climbing  ', owner: alice, members: [alice, bob], now: 5 });
    expect(readMeta(doc)).toEqual({ kind: 'group', name: 'Climbing', createdBy: alice, createdAt: 5, head: 0 });
    expect(readMembers(doc).get(alice)?.role).toBe('owner');
    expect(readMembers(doc).get(bob)).toEqual({ role: 'member', addedBy: alice, addedAt: 5 });
    removeMember(doc, bob);
    expect([...readMembers(doc).keys()]).toEqual([alice]);
  });

  it('lets both people create the same DM offline and converge', () => {
    const one = new Y.Doc();
    const two = new Y.Doc();
    initDm(one, alice, 1);
    initDm(two, bob, 2);
    sync(one, two);
    sync(two, one);
    expect(readMeta(one)).toEqual(readMeta(two));
    expect(readMeta(one)?.kind).toBe('dm');
  });

  it('only moves the head forward', () => {
    const doc = new Y.Doc();
    expect(headBucket(doc)).toBe(0);
    expect(advanceHead(doc, 2)).toBe(true);
    expect(advanceHead(doc, 1)).toBe(false);
    expect(headBucket(doc)).toBe(2);
  });
});

describe('message bucket', () => {
  const message = (authorId: UserId, text: string) => ({ id: newMessageId(), authorId, createdAt: Date.now(), text });

  it('orders concurrent appends the same on every replica', () => {
    const one = new Y.Doc();
    const two = new Y.Doc();
    appendMessage(one, message(alice, 'a1'));
    appendMessage(two, message(bob, 'b1'));
    appendMessage(one, message(alice, 'a2'));
    sync(one, two);
    sync(two, one);
    expect(readMessages(one).map((m) => m.text)).toEqual(readMessages(two).map((m) => m.text));
    expect(messageCount(one)).toBe(3);
  });

  it('skips entries that are not messages', () => {
    const doc = new Y.Doc();
    doc.getArray('messages').push([{ id: 'x', text: 1 }, 'junk']);
    appendMessage(doc, message(alice, 'real'));
    expect(readMessages(doc).map((m) => m.text)).toEqual(['real']);
    expect(messageCount(doc)).toBe(3);
  });

  it('reports appended messages with their origin', () => {
    const doc = new Y.Doc();
    const seen: string[] = [];
    const stop = onMessagesAdded(doc, (added, origin) => seen.push(`${origin}:${added.map((m) => m.text).join(',')}`));
    doc.transact(() => {
      appendMessage(doc, message(alice, 'x'));
      appendMessage(doc, message(alice, 'y'));
    }, 'me');
    stop();
    appendMessage(doc, message(alice, 'z'));
    expect(seen).toEqual(['me:x,y']);
  });

  it('previews a message on one line', () => {
    expect(previewOf('  hello\n\nworld ')).toBe('hello world');
    expect(previewOf('x'.repeat(500)).length).toBe(120);
  });
});

describe('inbox and contacts', () => {
  it('lists chats most recent first and drops removed ones', () => {
    const doc = new Y.Doc();
    const g1 = newGroupId();
    const g2 = newGroupId();
    setChatEntry(doc, g1, { kind: 'group', title: 'Old', count: 1, updatedAt: 1 });
    setChatEntry(doc, g2, { kind: 'group', title: 'New', count: 1, updatedAt: 2 });
    expect(readChats(doc).map((c) => c.title)).toEqual(['New', 'Old']);
    removeChatEntry(doc, g2);
    expect(readChats(doc).map((c) => c.roomId)).toEqual([g1]);
  });

  it('keeps contacts by user id', () => {
    const doc = new Y.Doc();
    addContact(doc, bob, { addedAt: 3, nickname: 'Bobby' });
    expect(readContacts(doc).get(bob)).toEqual({ addedAt: 3, nickname: 'Bobby' });
    removeContact(doc, bob);
    expect(readContacts(doc).size).toBe(0);
  });
});
