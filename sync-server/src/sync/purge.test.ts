import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, BUCKET, deleteForEveryone, editMessage, readMessages, setReaction } from '#schema/docs/bucket';
import { purgeMessage } from '#schema/docs/bucketPurge';
import type { Message } from '#schema/docs/message';
import { bucketDoc, parseDocName } from '#schema/docs/names';
import { newMessageId, type RoomId, type UserId } from '#schema/ids';
import { GuardHarness } from '../../../test/helpers/guardHarness';

const ALICE = '00000000-0000-4000-8000-00000000a11c' as UserId;
const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;
const GROUP = 'g.11111111-1111-4111-8111-111111111111' as RoomId;
const capture = GuardHarness.capture;

function message(author: UserId, text: string): Message {
  return { id: newMessageId(), authorId: author, createdAt: 1_700_000_000_000, text };
}

/** Alice and Bob in a group bucket; Alice's message was deleted for everyone (or edited) and the server purged it. */
function purgedBucket(change: 'delete' | 'edit') {
  const h = new GuardHarness(parseDocName(bucketDoc(GROUP, 0))!);
  for (const user of [ALICE, BOB]) h.roles.set(user, 'member');
  const alice = h.peer(ALICE, 101);
  const bob = h.peer(BOB, 202);
  const m = message(ALICE, 'secret');
  expect(
    h.send(
      ALICE,
      capture(alice, (doc) => appendMessage(doc, m)),
    ).ok,
  ).toBe(true);
  h.pull(bob);
  const overlay = capture(alice, (doc) => (change === 'delete' ? deleteForEveryone(doc, m.id, ALICE, 1) : editMessage(doc, m.id, 'public', 1)));
  expect(h.send(ALICE, overlay).ok).toBe(true);
  // The server's own write: it never passes the guard.
  expect(purgeMessage(h.server, m.id)).toBe(true);
  return { h, alice, bob, m };
}

describe('the guard after a purge', () => {
  it('accepts what honest clients do next: a full resync with the delete, edits, reactions and appends', () => {
    const { h, alice, bob, m } = purgedBucket('edit');
    h.pull(alice);
    h.pull(bob);
    // Sync step 2 carries the client's whole delete set, the server's purge included.
    expect(h.send(BOB, Y.encodeStateAsUpdate(bob.doc)).ok).toBe(true);
    expect(
      h.send(
        ALICE,
        capture(alice, (doc) => editMessage(doc, m.id, 'public, fixed', 2)),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => setReaction(doc, m.id, BOB, '👍')),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => appendMessage(doc, message(BOB, 'next'))),
      ).ok,
    ).toBe(true);
    expect(readMessages(h.server).map((x) => x.text)).toEqual(['public', 'next']);
  });

  it('accepts a client that was offline over the purge and appended after the original', () => {
    const { h, bob, m } = purgedBucket('delete');
    const offline = capture(bob, (doc) => appendMessage(doc, message(BOB, 'written offline')));
    expect(h.send(BOB, offline).ok).toBe(true);
    h.pull(bob);
    expect(readMessages(bob.doc).map((x) => x.id)).toEqual(readMessages(h.server).map((x) => x.id));
    expect(readMessages(h.server)[0]).toMatchObject({ id: m.id, text: '', deleted: true });
  });

  it('refuses putting the original back and a client-written tombstone', () => {
    const { h, alice, bob, m } = purgedBucket('delete');
    h.pull(alice);
    expect(h.attempt(alice, (doc) => appendMessage(doc, m))).toMatchObject({ ok: false, rule: 'message-id' });
    const forged = { ...message(BOB, ''), deleted: true };
    expect(h.attempt(bob, (doc) => doc.getArray(BUCKET.messages).push([forged]))).toMatchObject({ ok: false, rule: 'server-only' });
  });
});
