// Long on purpose: the pure guard's rules, one accepted and one refused case each, over one harness.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, deleteForEveryone, editMessage } from '#schema/docs/bucket';
import { MAX_MESSAGE_TEXT, type Message } from '#schema/docs/message';
import { setChatEntry } from '#schema/docs/inbox';
import { addNotifications, markAllNotificationsRead, markNotificationRead, NOTIFICATIONS_READ_THROUGH } from '#schema/docs/notifications';
import { addContact } from '#schema/docs/contacts';
import { bucketDoc, contactsDoc, inboxDoc, parseDocName, roomHeadDoc, type DocRef } from '#schema/docs/names';
import { advanceReceipt } from '#schema/docs/receipts';
import { addMembers, advanceHead, initDm, initGroup, leaveGroup, readMembers, removeMember, renameGroup, setMember, setRole } from '#schema/docs/roomHead';
import { dmRoomId, newMessageId, type RoomId, type UserId } from '#schema/ids';
import { GuardHarness } from '../../../test/helpers/guardHarness';
import { MAX_UPDATE_BYTES } from './updateGuard';

const ALICE = '00000000-0000-4000-8000-00000000a11c' as UserId;
const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;
const MALLORY = '00000000-0000-4000-8000-0000000000ee' as UserId;
const GROUP = 'g.11111111-1111-4111-8111-111111111111' as RoomId;
const NOW = 1_700_000_000_000;

const ref = (name: string): DocRef => parseDocName(name)!;
const capture = GuardHarness.capture;

function message(author: UserId, text = 'hi', id = newMessageId()): Message {
  return { id, authorId: author, createdAt: NOW, text };
}

function expectRefused(result: ReturnType<GuardHarness['check']>, rule: string): void {
  expect(result).toMatchObject({ ok: false, rule });
}

/** A group bucket where Alice, Bob and Mallory are members and Alice has written one message. */
function bucketWithAliceMessage() {
  const h = new GuardHarness(ref(bucketDoc(GROUP, 0)));
  const alice = h.peer(ALICE, 101);
  const bob = h.peer(BOB, 202);
  const mallory = h.peer(MALLORY, 303);
  for (const user of [ALICE, BOB, MALLORY]) h.roles.set(user, 'member');
  const m = message(ALICE);
  expect(
    h.send(
      ALICE,
      capture(alice, (doc) => appendMessage(doc, m)),
    ),
  ).toMatchObject({ ok: true, newClientIds: [101] });
  for (const peer of [bob, mallory]) h.pull(peer);
  return { h, alice, bob, mallory, m };
}

describe('bucket messages', () => {
  it('accepts an own message and refuses a forged author', () => {
    const { h, mallory } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(mallory, (doc) => appendMessage(doc, message(ALICE))),
      'author',
    );
    expect(
      h.send(
        MALLORY,
        capture(mallory, (doc) => appendMessage(doc, message(MALLORY))),
      ).ok,
    ).toBe(true);
  });

  it('refuses malformed and oversized messages', () => {
    const { h, bob } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(bob, (doc) => doc.getArray('messages').push([{ text: 'no id' }])),
      'message-shape',
    );
    const long = message(BOB, 'x'.repeat(MAX_MESSAGE_TEXT + 1));
    expectRefused(
      h.attempt(bob, (doc) => appendMessage(doc, long)),
      'message-shape',
    );
  });

  it("refuses deleting anyone's message item, even one's own", () => {
    const { h, alice, mallory } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(mallory, (doc) => doc.getArray('messages').delete(0, 1)),
      'messages-append-only',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getArray('messages').delete(0, 1)),
      'messages-append-only',
    );
  });

  it('refuses inserting before an existing message', () => {
    const { h, bob } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(bob, (doc) => doc.getArray('messages').insert(0, [message(BOB)])),
      'messages-append-only',
    );
  });

  it('refuses a second message with a known id', () => {
    const { h, bob, m } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(bob, (doc) => appendMessage(doc, message(BOB, 'x', m.id))),
      'message-id',
    );
  });

  it('accepts concurrent appends from the same base', () => {
    const { h, alice, bob } = bucketWithAliceMessage();
    const fromBob = capture(bob, (doc) => appendMessage(doc, message(BOB)));
    const fromAlice = capture(alice, (doc) => appendMessage(doc, message(ALICE)));
    expect(h.send(BOB, fromBob).ok).toBe(true);
    expect(h.send(ALICE, fromAlice).ok).toBe(true);
    expect(h.server.getArray('messages').length).toBe(3);
  });
});

describe('bucket overlays', () => {
  it("lets only the author edit: Mallory editing Alice's message is refused", () => {
    const { h, alice, mallory, m } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(mallory, (doc) => doc.getMap('edits').set(m.id, { text: 'pwned', at: NOW })),
      'edit-author',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('edits').set(m.id, { text: 'fixed', at: NOW })),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('edits').set(m.id, { text: 'again', at: NOW + 1 })),
      ).ok,
    ).toBe(true);
  });

  it('accepts an edit in the same update as its message', () => {
    const { h, bob } = bucketWithAliceMessage();
    const m = message(BOB);
    const update = capture(bob, (doc) => {
      appendMessage(doc, m);
      doc.getMap('edits').set(m.id, { text: 'edited', at: NOW });
    });
    expect(h.send(BOB, update).ok).toBe(true);
  });

  it('lets the author or an admin mark a message deleted, nobody else', () => {
    const { h, alice, bob, mallory, m } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(mallory, (doc) => doc.getMap('deletions').set(m.id, { by: MALLORY, at: NOW })),
      'admin-only',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('deletions').set(m.id, { by: BOB, at: NOW })),
      'author',
    );
    h.roles.set(BOB, 'admin');
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => doc.getMap('deletions').set(m.id, { by: BOB, at: NOW })),
      ).ok,
    ).toBe(true);
    h.pull(alice);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('deletions').set(m.id, { by: ALICE, at: NOW + 1 })),
      ).ok,
    ).toBe(true);
  });

  it('lets a user write and remove only their own reaction key', () => {
    const { h, alice, mallory, m } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(mallory, (doc) => doc.getMap('reactions').set(`${m.id}:${ALICE}`, '👎')),
      'reaction-key',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('reactions').set(`${m.id}:${ALICE}`, '👍')),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('reactions').set(`${m.id}:${ALICE}`, '❤️')),
      ).ok,
    ).toBe(true);
    h.pull(mallory);
    expectRefused(
      h.attempt(mallory, (doc) => doc.getMap('reactions').delete(`${m.id}:${ALICE}`)),
      'delete-foreign',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('reactions').delete(`${m.id}:${ALICE}`)),
      ).ok,
    ).toBe(true);
  });

  it('refuses unknown roots, nested types and non-JSON content', () => {
    const { h, bob } = bucketWithAliceMessage();
    expectRefused(
      h.attempt(bob, (doc) => doc.getMap('other').set('k', 1)),
      'unknown-root',
    );
    expectRefused(
      h.attempt(bob, (doc) => doc.getMap('edits').set('k', new Y.Map())),
      'value-shape',
    );
    expectRefused(
      h.attempt(bob, (doc) => doc.getText('messages').insert(0, 'x')),
      'value-shape',
    );
  });
});

describe('client ids and decoding', () => {
  it("refuses writing with Alice's client id", () => {
    const { h } = bucketWithAliceMessage();
    const forger = h.peer(MALLORY, 303);
    h.pull(forger);
    forger.doc.clientID = 101;
    expectRefused(
      h.attempt(forger, (doc) => appendMessage(doc, message(MALLORY))),
      'client-id',
    );
  });

  it('refuses undecodable and oversized updates', () => {
    const { h } = bucketWithAliceMessage();
    expectRefused(h.check(BOB, new Uint8Array([200, 1, 2, 3])), 'malformed');
    expectRefused(h.check(BOB, new Uint8Array(MAX_UPDATE_BYTES + 1)), 'too-large');
  });

  it('refuses an update that depends on a struct the server lacks, and accepts the full sync after', () => {
    const { h, alice } = bucketWithAliceMessage();
    capture(alice, (doc) => appendMessage(doc, message(ALICE, 'offline')));
    const live = capture(alice, (doc) => appendMessage(doc, message(ALICE, 'after reconnect')));
    expectRefused(h.check(ALICE, live), 'missing-dependency');
    expect(h.push(alice).ok).toBe(true);
  });
});

describe('honest clients', () => {
  it('accepts re-sending a full state the server already has, deletes included', () => {
    const { h, alice, m } = bucketWithAliceMessage();
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('reactions').set(`${m.id}:${ALICE}`, '👍')),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('reactions').delete(`${m.id}:${ALICE}`)),
      ).ok,
    ).toBe(true);
    expect(h.check(ALICE, Y.encodeStateAsUpdate(alice.doc))).toEqual({ ok: true, newClientIds: [] });
  });

  it("accepts a state holding another user's items learned from a shared replica", () => {
    const { h, alice, m } = bucketWithAliceMessage();
    h.send(
      ALICE,
      capture(alice, (doc) => doc.getMap('reactions').set(`${m.id}:${ALICE}`, '👍')),
    );
    const bob = h.peer(BOB, 404);
    // Bob's tab loads a replica (IndexedDB) that already holds Alice's writes, then writes offline.
    Y.applyUpdate(bob.doc, Y.encodeStateAsUpdate(alice.doc));
    appendMessage(bob.doc, message(BOB, 'offline'));
    bob.doc.getMap('reactions').set(`${m.id}:${BOB}`, '🎉');
    expect(h.send(BOB, Y.encodeStateAsUpdate(bob.doc)).ok).toBe(true);
    expect(h.server.getArray('messages').length).toBe(2);
  });

  it('accepts the part of a merged item the server lacks', () => {
    const { h, alice } = bucketWithAliceMessage();
    appendMessage(alice.doc, message(ALICE, 'two'));
    appendMessage(alice.doc, message(ALICE, 'three'));
    expect(h.push(alice).ok).toBe(true);
    expect(h.check(ALICE, Y.encodeStateAsUpdate(alice.doc)).ok).toBe(true);
  });

  it('accepts garbage-collected overwrites (tombstones) in a sync', () => {
    const { h, alice, m } = bucketWithAliceMessage();
    const key = `${m.id}:${ALICE}`;
    for (const emoji of ['👍', '❤️', '🎉']) alice.doc.getMap('reactions').set(key, emoji);
    expect(h.push(alice).ok).toBe(true);
    expect(h.server.getMap('reactions').get(key)).toBe('🎉');
  });
});

describe('group room head', () => {
  function createdGroup() {
    const h = new GuardHarness(ref(roomHeadDoc(GROUP)));
    const alice = h.peer(ALICE, 11);
    const bob = h.peer(BOB, 22);
    const mallory = h.peer(MALLORY, 33);
    const create = capture(alice, (doc) => initGroup(doc, { name: 'Team', owner: ALICE, members: [BOB, MALLORY], now: NOW }));
    expect(h.send(ALICE, create).ok).toBe(true);
    for (const peer of [bob, mallory]) h.pull(peer);
    return { h, alice, bob, mallory };
  }

  it('lets the first writer create a group as its owner', () => {
    createdGroup();
    const h = new GuardHarness(ref(roomHeadDoc(GROUP)));
    const mallory = h.peer(MALLORY, 44);
    // Without making themself owner the writer is no creator, and a group's kind is the creator's to set.
    expectRefused(
      h.attempt(mallory, (doc) => initGroup(doc, { name: 'X', owner: ALICE, members: [MALLORY], now: NOW })),
      'immutable',
    );
  });

  it('refuses a rename by a plain member and accepts it from an admin', () => {
    const { h, alice, bob, mallory } = createdGroup();
    expectRefused(
      h.attempt(mallory, (doc) => renameGroup(doc, 'Mallory rules')),
      'admin-only',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => setMember(doc, BOB, { role: 'admin', addedBy: ALICE, addedAt: NOW })),
      ).ok,
    ).toBe(true);
    h.pull(bob);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => renameGroup(doc, 'Team 2')),
      ).ok,
    ).toBe(true);
  });

  it('lets a member leave but not remove another member', () => {
    const { h, bob, mallory } = createdGroup();
    expectRefused(
      h.attempt(mallory, (doc) => removeMember(doc, BOB)),
      'admin-only',
    );
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => removeMember(doc, BOB)),
      ).ok,
    ).toBe(true);
  });

  it('keeps owners and the head bucket out of reach of others', () => {
    const { h, alice, bob } = createdGroup();
    h.send(
      ALICE,
      capture(alice, (doc) => setMember(doc, BOB, { role: 'admin', addedBy: ALICE, addedAt: NOW })),
    );
    h.pull(bob);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, BOB, { role: 'owner', addedBy: BOB, addedAt: NOW })),
      'admin-only',
    );
    expectRefused(
      h.attempt(bob, (doc) => removeMember(doc, ALICE)),
      'admin-only',
    );
    expectRefused(
      h.attempt(alice, (doc) => advanceHead(doc, 3)),
      'server-only',
    );
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => setMember(doc, '00000000-0000-4000-8000-00000000ca01' as UserId, { role: 'member', addedBy: BOB, addedAt: NOW })),
      ).ok,
    ).toBe(true);
  });
});

describe('group management', () => {
  function createdGroup() {
    const h = new GuardHarness(ref(roomHeadDoc(GROUP)));
    const alice = h.peer(ALICE, 11);
    const bob = h.peer(BOB, 22);
    const mallory = h.peer(MALLORY, 33);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => initGroup(doc, { name: 'Team', owner: ALICE, members: [BOB, MALLORY], now: NOW })),
      ).ok,
    ).toBe(true);
    for (const peer of [bob, mallory]) h.pull(peer);
    return { h, alice, bob, mallory };
  }
  const CAROL = '00000000-0000-4000-8000-00000000ca01' as UserId;

  it('refuses a plain member adding someone, and accepts it from an admin', () => {
    const { h, alice, mallory, bob } = createdGroup();
    expectRefused(
      h.attempt(mallory, (doc) => addMembers(doc, [CAROL], MALLORY, NOW + 1)),
      'admin-only',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => setRole(doc, BOB, 'admin', ALICE)),
      ).ok,
    ).toBe(true);
    h.pull(bob);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => addMembers(doc, [CAROL], BOB, NOW + 1)),
      ).ok,
    ).toBe(true);
  });

  it('lets an admin make and dismiss admins, but not speak as someone else in `addedBy`', () => {
    const { h, alice, bob } = createdGroup();
    h.send(
      ALICE,
      capture(alice, (doc) => setRole(doc, BOB, 'admin', ALICE)),
    );
    h.pull(bob);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => setRole(doc, MALLORY, 'admin', BOB)),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => setRole(doc, MALLORY, 'member', BOB)),
      ).ok,
    ).toBe(true);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, MALLORY, { role: 'admin', addedBy: ALICE, addedAt: NOW })),
      'author',
    );
  });

  it('refuses a member joining before the group existed or moving up the queue of successors', () => {
    const { h, alice, bob } = createdGroup();
    h.send(
      ALICE,
      capture(alice, (doc) => setRole(doc, BOB, 'admin', ALICE)),
    );
    h.pull(bob);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, CAROL, { role: 'member', addedBy: BOB, addedAt: NOW - 1 })),
      'value-shape',
    );
    h.send(
      ALICE,
      capture(alice, (doc) => addMembers(doc, [CAROL], ALICE, NOW + 50)),
    );
    h.pull(bob);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, CAROL, { role: 'admin', addedBy: BOB, addedAt: NOW })),
      'value-shape',
    );
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => setRole(doc, CAROL, 'admin', BOB)),
      ).ok,
    ).toBe(true);
  });

  it("accepts an addition from a device whose clock is behind the creator's", () => {
    const { h, alice } = createdGroup();
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => addMembers(doc, [CAROL], ALICE, NOW - 60_000)),
      ).ok,
    ).toBe(true);
    expect(readMembers(h.server).get(CAROL)?.addedAt).toBe(NOW);
  });

  it('accepts an owner handing the group over as they leave, and refuses an admin taking it', () => {
    const { h, alice, bob } = createdGroup();
    h.send(
      ALICE,
      capture(alice, (doc) => setRole(doc, BOB, 'admin', ALICE)),
    );
    h.pull(bob);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, BOB, { role: 'owner', addedBy: BOB, addedAt: NOW })),
      'admin-only',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => leaveGroup(doc, ALICE)),
      ).ok,
    ).toBe(true);
    expect(readMembers(h.server).get(BOB)?.role).toBe('owner');
    expect(readMembers(h.server).has(ALICE)).toBe(false);
  });

  it('refuses a role the group does not know', () => {
    const { h, alice } = createdGroup();
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('members').set(BOB, { role: 'superadmin', addedBy: ALICE, addedAt: NOW })),
      'value-shape',
    );
  });

  it('refuses a system line written by a client, even one telling the truth', () => {
    const h = new GuardHarness(ref(bucketDoc(GROUP, 0)));
    const alice = h.peer(ALICE, 101);
    h.roles.set(ALICE, 'owner');
    const line: Message = { ...message(ALICE, ''), event: { type: 'removed', target: BOB } };
    expectRefused(
      h.attempt(alice, (doc) => appendMessage(doc, line)),
      'server-only',
    );
  });

  it('refuses the actor of a system line editing or deleting it as if it were theirs', () => {
    const h = new GuardHarness(ref(bucketDoc(GROUP, 0)));
    const bob = h.peer(BOB, 202);
    h.roles.set(BOB, 'member');
    // The server's own write, which never passes the guard.
    const line: Message = { ...message(BOB, ''), event: { type: 'left' } };
    appendMessage(h.server, line);
    h.pull(bob);
    expectRefused(
      h.attempt(bob, (doc) => editMessage(doc, line.id, 'Bob was right all along', NOW)),
      'edit-author',
    );
    expectRefused(
      h.attempt(bob, (doc) => deleteForEveryone(doc, line.id, BOB, NOW)),
      'admin-only',
    );
  });
});

describe('DM room head, inbox, contacts', () => {
  it('lets both people start a DM concurrently and nobody write members or the head', () => {
    const h = new GuardHarness(ref(roomHeadDoc(dmRoomId(ALICE, BOB))));
    const alice = h.peer(ALICE, 1);
    const bob = h.peer(BOB, 2);
    const fromAlice = capture(alice, (doc) => initDm(doc, ALICE, NOW));
    const fromBob = capture(bob, (doc) => initDm(doc, BOB, NOW + 5));
    expect(h.send(ALICE, fromAlice).ok).toBe(true);
    expect(h.send(BOB, fromBob).ok).toBe(true);
    expectRefused(
      h.attempt(bob, (doc) => setMember(doc, BOB, { role: 'owner', addedBy: BOB, addedAt: NOW })),
      'unknown-root',
    );
    expectRefused(
      h.attempt(bob, (doc) => advanceHead(doc, 1)),
      'server-only',
    );
  });

  it('lets each person write only their own receipts, of the receipt shape', () => {
    const h = new GuardHarness(ref(roomHeadDoc(dmRoomId(ALICE, BOB))));
    const alice = h.peer(ALICE, 1);
    const bob = h.peer(BOB, 2);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => initDm(doc, ALICE, NOW)),
      ).ok,
    ).toBe(true);
    h.pull(bob);
    const at = { bucket: 0, index: 4 };
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => advanceReceipt(doc, BOB, 'read', at, NOW)),
      ).ok,
    ).toBe(true);
    // Bob marking Alice's side read, under her key or with his id hidden in another form:
    expectRefused(
      h.attempt(bob, (doc) => advanceReceipt(doc, ALICE, 'read', at, NOW)),
      'key-user',
    );
    expectRefused(
      h.attempt(bob, (doc) => doc.getMap('receipts').set(`seen:${BOB}`, [{ to: at, at: NOW }])),
      'unknown-key',
    );
    expectRefused(
      h.attempt(bob, (doc) => doc.getMap('receipts').set(`read:${BOB}`, { everything: true })),
      'value-shape',
    );
  });

  it('keeps the chat index server-only and the state to its owner', () => {
    const h = new GuardHarness(ref(inboxDoc(ALICE)));
    const alice = h.peer(ALICE, 5);
    const entry = { kind: 'group' as const, title: 'x', count: 1, updatedAt: NOW };
    expectRefused(
      h.attempt(alice, (doc) => setChatEntry(doc, GROUP, entry)),
      'server-only',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('state').set(`read:${GROUP}`, 3)),
      ).ok,
    ).toBe(true);
    expectRefused(
      h.attempt(h.peer(MALLORY, 6), (doc) => doc.getMap('state').set('x', 1)),
      'owner-only',
    );
    // The owner's own keys still have shapes: a malformed draft or an unknown key changes nothing.
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set(`draft:${GROUP}`, { text: 'x'.repeat(MAX_MESSAGE_TEXT + 1), at: NOW })),
      'value-shape',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set('anything', 1)),
      'value-shape',
    );
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('state').set(`draft:${GROUP}`, { text: 'See you', at: NOW })),
      ).ok,
    ).toBe(true);
  });

  it("keeps the notification list server-only, and checks the owner's read marks", () => {
    const h = new GuardHarness(ref(inboxDoc(ALICE)));
    const alice = h.peer(ALICE, 9);
    const item = { key: `mention:${newMessageId()}`, kind: 'mention' as const, roomId: GROUP, actorId: BOB, actorName: 'Bob', roomTitle: 'Team', preview: 'hi', at: NOW };
    // Neither the owner nor anyone else adds, rewrites or removes items.
    expectRefused(
      h.attempt(alice, (doc) => addNotifications(doc, [item])),
      'server-only',
    );
    expectRefused(
      h.attempt(h.peer(MALLORY, 10), (doc) => addNotifications(doc, [item])),
      'server-only',
    );
    // The owner marks one read and all read; the marks have shapes, and the watermark cannot pass the server's clock by more than the skew.
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => markNotificationRead(doc, item.key, NOW)),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => doc.getMap('state').set(NOTIFICATIONS_READ_THROUGH, NOW)),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => markAllNotificationsRead(doc)),
      ).ok,
    ).toBe(true);
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set(NOTIFICATIONS_READ_THROUGH, Number.MAX_SAFE_INTEGER)),
      'value-shape',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set(NOTIFICATIONS_READ_THROUGH, 'all')),
      'value-shape',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set('notifRead:', NOW)),
      'value-shape',
    );
    expectRefused(
      h.attempt(alice, (doc) => doc.getMap('state').set(`notifRead:${item.key}`, { read: true })),
      'value-shape',
    );
    expectRefused(
      h.attempt(h.peer(MALLORY, 11), (doc) => doc.getMap('state').set(NOTIFICATIONS_READ_THROUGH, NOW)),
      'owner-only',
    );
  });

  it('lets only the owner write contacts', () => {
    const h = new GuardHarness(ref(contactsDoc(ALICE)));
    expect(
      h.send(
        ALICE,
        capture(h.peer(ALICE, 7), (doc) => addContact(doc, BOB, { addedAt: NOW })),
      ).ok,
    ).toBe(true);
    expectRefused(
      h.attempt(h.peer(MALLORY, 8), (doc) => addContact(doc, MALLORY, { addedAt: NOW })),
      'owner-only',
    );
  });
});
