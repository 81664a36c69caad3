import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newGroupId, newMessageId, newUserId, type UserId } from '../ids';
import { appendMessage, deleteForEveryone, editMessage, messageCount, onMessagesAdded, readMessages, readShownMessages, setReaction } from './bucket';
import { addContact, readContacts, removeContact } from './contacts';
import { hideMessageForMe, INBOX, readChatEntry, readChats, readHiddenMessages, setChatEntry, unreadCount, type ChatEntry, type ChatState } from './inbox';
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

  it('reports each change to every listener, only what the change added, after a relay', () => {
    const doc = new Y.Doc();
    const seen: string[][] = [[], []];
    for (const list of seen) onMessagesAdded(doc, (added) => list.push(added.map((m) => m.text).join(',')));
    // A writer's later messages merge into its earlier item on the receiving side.
    const writer = new Y.Doc();
    const relay = (update: Uint8Array) => Y.applyUpdate(doc, update);
    writer.on('update', relay);
    appendMessage(writer, message(alice, 'one'));
    appendMessage(writer, message(alice, 'two'));
    writer.transact(() => {
      appendMessage(writer, message(alice, 'three'));
      appendMessage(writer, message(alice, 'four'));
    });
    expect(seen).toEqual([
      ['one', 'two', 'three,four'],
      ['one', 'two', 'three,four'],
    ]);
  });

  it('shows messages with edits, deletions and reactions applied', () => {
    const doc = new Y.Doc();
    const first = message(alice, 'helo');
    const second = message(bob, 'oops');
    const third = message(alice, 'plain');
    for (const m of [first, second, third]) appendMessage(doc, m);
    editMessage(doc, first.id, 'hello', 10);
    deleteForEveryone(doc, second.id, bob, 11);
    setReaction(doc, first.id, alice, '👍');
    setReaction(doc, first.id, bob, '👍');
    setReaction(doc, third.id, bob, '❤️');
    // One reaction per person: choosing another replaces it, null removes it.
    setReaction(doc, third.id, bob, '😂');
    setReaction(doc, second.id, alice, '😮');
    setReaction(doc, second.id, alice, null);

    const [one, two, three] = readShownMessages(doc);
    expect(one).toMatchObject({ text: 'helo', editedText: 'hello', edited: true, deleted: false });
    expect([...one!.reactions]).toEqual([['👍', [alice, bob].sort()]]);
    expect(two).toMatchObject({ edited: false, deleted: true });
    expect(two!.reactions.size).toBe(0);
    expect(three!.editedText).toBeUndefined();
    expect([...three!.reactions]).toEqual([['😂', [bob]]]);
  });

  it('ignores overlay entries of the wrong shape and refuses to write them', () => {
    const doc = new Y.Doc();
    const m = message(alice, 'x');
    appendMessage(doc, m);
    doc.getMap('edits').set(m.id, { text: 5 });
    doc.getMap('deletions').set(m.id, 'yes');
    doc.getMap('reactions').set(`${m.id}:${bob}`, '');
    expect(readShownMessages(doc)[0]).toMatchObject({ edited: false, deleted: false });
    expect(readShownMessages(doc)[0]!.reactions.size).toBe(0);
    expect(() => setReaction(doc, m.id, bob, '')).toThrow();
    expect(() => editMessage(doc, m.id, 'x'.repeat(20_000), 1)).toThrow();
  });

  it('merges concurrent reactions of two people', () => {
    const one = new Y.Doc();
    const two = new Y.Doc();
    const m = message(alice, 'x');
    appendMessage(one, m);
    sync(one, two);
    setReaction(one, m.id, alice, '🙏');
    setReaction(two, m.id, bob, '🙏');
    sync(one, two);
    sync(two, one);
    expect(readShownMessages(one)[0]!.reactions.get('🙏')?.sort()).toEqual([alice, bob].sort());
  });

  it('previews a message on one line', () => {
    expect(previewOf('  hello\n\nworld ')).toBe('hello world');
    expect(previewOf('x'.repeat(500)).length).toBe(120);
  });
});

describe('inbox and contacts', () => {
  it('lists chats most recent first', () => {
    const doc = new Y.Doc();
    const g1 = newGroupId();
    const g2 = newGroupId();
    setChatEntry(doc, g1, { kind: 'group', title: 'Old', count: 1, updatedAt: 1 });
    setChatEntry(doc, g2, { kind: 'group', title: 'New', count: 1, updatedAt: 2 });
    expect(readChats(doc).map((c) => c.title)).toEqual(['New', 'Old']);
    expect(readChats(doc).map((c) => c.roomId)).toEqual([g2, g1]);
  });

  it('reads a chat entry validated once, its last message the doc’s own and unchangeable, and the app’s list as copies', () => {
    const doc = new Y.Doc();
    const room = newGroupId();
    const lastMessage = { id: newMessageId(), authorId: bob, authorName: 'Bob', preview: 'hi', at: 5 };
    setChatEntry(doc, room, { kind: 'group', title: 'Team', count: 1, updatedAt: 5, lastMessage });
    // The server's own entry is taken as valid as it is written: the doc keeps this very object, frozen.
    expect(Object.isFrozen(doc.getMap(INBOX.chats).get(room))).toBe(true);
    expect(Object.isFrozen(lastMessage)).toBe(true);
    const first = readChatEntry(doc, room)!;
    expect(first).toMatchObject({ roomId: room, title: 'Team', count: 1, lastMessage: { preview: 'hi' } });
    // A new entry object each read (callers add to it), the doc's own last message inside.
    const again = readChatEntry(doc, room)!;
    expect(again).not.toBe(first);
    expect(again.lastMessage).toBe(first.lastMessage);
    expect(() => {
      (first.lastMessage as { preview: string }).preview = 'changed';
    }).toThrow(TypeError);
    expect(readChatEntry(doc, room)?.lastMessage?.preview).toBe('hi');
    // The app's chat list reads copies it may wrap.
    const listed = readChats(doc)[0]!;
    expect(listed.lastMessage).not.toBe(first.lastMessage);
    expect(Object.isFrozen(listed.lastMessage)).toBe(false);
    // A value that is not an entry stays unread, and is left as it was.
    const broken = { kind: 'group', title: 'Team', count: -1, updatedAt: 5 };
    doc.getMap(INBOX.chats).set(room, broken);
    expect(readChatEntry(doc, room)).toBeNull();
    expect(Object.isFrozen(broken)).toBe(false);
  });

  it('keeps the messages deleted for me', () => {
    const doc = new Y.Doc();
    const id = newMessageId();
    hideMessageForMe(doc, id, 4);
    expect([...readHiddenMessages(doc)]).toEqual([id]);
  });

  it('keeps contacts by user id', () => {
    const doc = new Y.Doc();
    addContact(doc, bob, { addedAt: 3, nickname: 'Bobby' });
    expect(readContacts(doc).get(bob)).toEqual({ addedAt: 3, nickname: 'Bobby' });
    removeContact(doc, bob);
    expect(readContacts(doc).size).toBe(0);
  });
});

describe('unread counts', () => {
  const me = newUserId();
  const peer = newUserId();
  const entry = (count: number, ownThrough?: number): ChatEntry => ({
    roomId: newGroupId(),
    kind: 'group',
    title: 'Team',
    count,
    updatedAt: 1,
    ...(ownThrough !== undefined ? { ownThrough } : {}),
    lastMessage: { id: newMessageId(), authorId: peer, authorName: 'Peer', preview: 'hi', at: 1 },
  });

  it('counts what came after the read mark', () => {
    expect(unreadCount(entry(5), { readCount: 3 } as ChatState, me)).toBe(2);
    expect(unreadCount(entry(5), undefined, me)).toBe(5);
  });

  it('counts nothing up to my own latest message, even when the device that sent it never moved the read mark', () => {
    // I wrote the 4th message on a tab that closed at once; then the peer wrote the 5th.
    expect(unreadCount(entry(5, 4), { readCount: 2 } as ChatState, me)).toBe(1);
    expect(unreadCount(entry(5, 4), { readCount: 5 } as ChatState, me)).toBe(0);
  });
});
