import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import type { Message } from '#schema/docs/message';
import { bucketDoc, parseDocName } from '#schema/docs/names';
import { newMessageId, type RoomId, type UserId } from '#schema/ids';
import { GuardHarness } from '../../../test/helpers/guardHarness';
import { MAX_CLOCK_SKEW_MS } from './guardValues';
import { CONCURRENCY_WINDOW_MS } from './messageArrivals';
import { encodeSections, encodeStructs, rawGc, rawItem } from './rawUpdate';
import { MAX_NEW_CLIENT_IDS } from './updateGuard';

const ALICE = '00000000-0000-4000-8000-00000000a11c' as UserId;
const BOB = '00000000-0000-4000-8000-000000000b0b' as UserId;
const MALLORY = '00000000-0000-4000-8000-0000000000ee' as UserId;
const GROUP = 'g.11111111-1111-4111-8111-111111111111' as RoomId;
const capture = GuardHarness.capture;

function message(h: GuardHarness, author: UserId, text = 'hi'): Message {
  return { id: newMessageId(), authorId: author, createdAt: h.now, text };
}

function expectRefused(result: ReturnType<GuardHarness['check']>, rule: string): void {
  expect(result).toMatchObject({ ok: false, rule });
}

/** What Yjs makes of `update` on a copy of the server's replica (the harm a wrong verdict would do). */
function appliedCopy(h: GuardHarness, update: Uint8Array): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(h.server));
  Y.applyUpdate(copy, update);
  return copy;
}

/** A group bucket where Alice wrote one message and Mallory (client 303) one after it. */
function bucket() {
  const h = new GuardHarness(parseDocName(bucketDoc(GROUP, 0))!);
  for (const user of [ALICE, BOB, MALLORY]) h.roles.set(user, 'member');
  const alice = h.peer(ALICE, 101);
  const bob = h.peer(BOB, 202);
  const mallory = h.peer(MALLORY, 303);
  const first = message(h, ALICE, 'first');
  expect(
    h.send(
      ALICE,
      capture(alice, (doc) => appendMessage(doc, first)),
    ).ok,
  ).toBe(true);
  h.pull(mallory);
  const mine = message(h, MALLORY, 'mine');
  expect(
    h.send(
      MALLORY,
      capture(mallory, (doc) => appendMessage(doc, mine)),
    ).ok,
  ).toBe(true);
  for (const peer of [alice, bob]) h.pull(peer);
  return { h, alice, bob, mallory, first, mine };
}

describe('client-id flood', () => {
  it('refuses 10,000 GC structs under new client ids, claiming none', () => {
    const { h } = bucket();
    const update = encodeSections(Array.from({ length: 10_000 }, (_, i) => [rawGc(1_000_000 + i, 0)]));
    expect(update.byteLength).toBeLessThan(100_000);
    const before = h.claims.size;
    expectRefused(h.send(MALLORY, update), 'gc');
    expect(h.claims.size).toBe(before);
  });

  it('refuses a GC struct at a clock the server lacks, even under an own id, and an item Yjs would make garbage', () => {
    const { h, mine } = bucket();
    expectRefused(h.check(MALLORY, encodeStructs([rawGc(303, 1, 5)])), 'gc');
    // An item whose parent is a GC struct (in the same update) becomes garbage too.
    expectRefused(h.check(MALLORY, encodeStructs([rawGc(304, 0), rawItem(305, 0, { parent: Y.createID(304, 0), values: [1] })])), 'gc');
    expect(readMessages(h.server).map((m) => m.id)).toContain(mine.id);
  });

  it(`refuses more than ${MAX_NEW_CLIENT_IDS} new client ids in one update, and accepts that many`, () => {
    const { h } = bucket();
    const reactions = (from: number, n: number) => encodeStructs(Array.from({ length: n }, (_, i) => rawItem(from + i, 0, { parent: 'edits', parentSub: `x${i}`, values: [1] })));
    expectRefused(h.check(MALLORY, reactions(5000, MAX_NEW_CLIENT_IDS + 1)), 'client-ids');
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(h.server));
    // A device that reloaded several times offline: each session wrote with its own id.
    for (let i = 0; i < MAX_NEW_CLIENT_IDS; i++) {
      offline.clientID = 7000 + i;
      appendMessage(offline, message(h, MALLORY, `offline ${i}`));
    }
    const result = h.send(MALLORY, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(h.server)));
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.newClientIds.length).toBe(MAX_NEW_CLIENT_IDS);
  });
});

describe('where Yjs really integrates an item', () => {
  it('refuses a re-sent struct that claims `reactions` but that Yjs re-anchors inside `messages`', () => {
    const { h, first, mine } = bucket();
    // Mallory's client 303 wrote clock 0 (her message). She sends clock 0..1 again with a
    // reaction's parent: Yjs skips the known clock and puts clock 1 after 303:0, in `messages`.
    const forged = encodeStructs([rawItem(303, 0, { parent: 'reactions', parentSub: `${first.id}:${MALLORY}`, values: ['x', '🎉'] })]);
    const harm = appliedCopy(h, forged);
    expect(harm.getArray('messages').toArray()).not.toContainEqual(mine);
    expectRefused(h.check(MALLORY, forged), 'malformed');
  });

  it('accepts an honest re-send of a merged struct the server has part of', () => {
    const { h, mallory } = bucket();
    appendMessage(mallory.doc, message(h, MALLORY, 'two'));
    appendMessage(mallory.doc, message(h, MALLORY, 'three'));
    expect(h.push(mallory).ok).toBe(true);
    appendMessage(mallory.doc, message(h, MALLORY, 'four'));
    // The whole state again: every struct overlaps what the server has.
    expect(h.send(MALLORY, Y.encodeStateAsUpdate(mallory.doc)).ok).toBe(true);
    expect(readMessages(h.server).map((m) => m.text)).toEqual(['first', 'mine', 'two', 'three', 'four']);
  });

  it('refuses a message at index 0 or after an old message, once the messages after it are old', () => {
    const { h, first } = bucket();
    h.now += CONCURRENCY_WINDOW_MS + 1;
    // Under a new id below every writer's, so Yjs orders it first among items without an origin.
    const atStart = encodeStructs([rawItem(50, 0, { parent: 'messages', values: [message(h, MALLORY, 'I was first')] })]);
    expect(appliedCopy(h, atStart).getArray<Message>('messages').get(0).text).toBe('I was first');
    expectRefused(h.check(MALLORY, atStart), 'messages-append-only');
    const middle = encodeStructs([rawItem(303, 1, { origin: Y.createID(101, 0), values: [message(h, MALLORY, 'squeezed in')] })]);
    expect(appliedCopy(h, middle).getArray<Message>('messages').get(1).text).toBe('squeezed in');
    expectRefused(h.check(MALLORY, middle), 'messages-append-only');
    expect(readMessages(h.server)[0]).toEqual(first);
  });

  it('after a restart, judges loaded messages by their own time: a send from just before the restart goes through', () => {
    const { h, alice, bob } = bucket();
    // Bob sent just before the server went down; Alice's send, from the same base, arrives after.
    const fromBob = capture(bob, (doc) => appendMessage(doc, message(h, BOB, 'b')));
    const fromAlice = capture(alice, (doc) => appendMessage(doc, message(h, ALICE, 'a')));
    expect(h.send(BOB, fromBob).ok).toBe(true);
    const restarted = new GuardHarness(h.ref);
    restarted.now = h.now + 30_000;
    for (const [user, role] of h.roles) restarted.roles.set(user, role);
    for (const [id, user] of h.claims) restarted.claims.set(id, user);
    Y.applyUpdate(restarted.server, Y.encodeStateAsUpdate(h.server));
    expect(restarted.send(ALICE, fromAlice).ok).toBe(true);
    // Had it come long after, it would have been refused: Bob's message is old by then.
    const later = new GuardHarness(h.ref);
    later.now = h.now + CONCURRENCY_WINDOW_MS + 60_000;
    for (const [user, role] of h.roles) later.roles.set(user, role);
    Y.applyUpdate(later.server, Y.encodeStateAsUpdate(h.server));
    for (const [id, user] of h.claims) later.claims.set(id, user);
    expectRefused(later.check(ALICE, fromAlice), 'messages-append-only');
  });

  it('refuses a right origin (an insert before an item) even among recent messages', () => {
    const { h } = bucket();
    const before = encodeStructs([rawItem(303, 1, { rightOrigin: Y.createID(303, 0), values: [message(h, MALLORY, 'before mine')] })]);
    expectRefused(h.check(MALLORY, before), 'messages-append-only');
  });

  it('accepts concurrent appends within the window and refuses one whose origin is long past', () => {
    const { h, alice, bob } = bucket();
    // A device of Bob's that saw the same base, wrote, and stays away past the window.
    const stale = new Y.Doc();
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(bob.doc));
    stale.clientID = 910;
    const staleAppend = capture({ userId: BOB, doc: stale }, (doc) => appendMessage(doc, message(h, BOB, 'stale')));
    // Both saw the same last message; Bob's arrives first, Alice's a moment later lands next to it.
    const fromBob = capture(bob, (doc) => appendMessage(doc, message(h, BOB, 'b')));
    const fromAlice = capture(alice, (doc) => appendMessage(doc, message(h, ALICE, 'a')));
    expect(h.send(BOB, fromBob).ok).toBe(true);
    h.now += 2_000;
    expect(h.send(ALICE, fromAlice).ok).toBe(true);
    h.now += CONCURRENCY_WINDOW_MS + 1;
    expectRefused(h.check(BOB, staleAppend), 'messages-append-only');
    // Once synced, its origin is the true end and the append goes through.
    h.pull(bob);
    expect(
      h.send(
        BOB,
        capture(bob, (doc) => appendMessage(doc, message(h, BOB, 'fresh'))),
      ).ok,
    ).toBe(true);
    expect(
      readMessages(h.server)
        .map((m) => m.text)
        .slice(-1),
    ).toEqual(['fresh']);
  });

  it('refuses an update Yjs would leave pending although every id is in it (an origin cycle across clients)', () => {
    const { h } = bucket();
    // 501:0 follows 502:0, which follows 501:1 — which Yjs integrates only after 501:0.
    const cycle = encodeStructs([
      rawItem(501, 0, { origin: Y.createID(502, 0), values: [1] }),
      rawItem(501, 1, { parent: 'edits', parentSub: 'k', values: [2] }),
      rawItem(502, 0, { origin: Y.createID(501, 1), values: [3] }),
    ]);
    const copy = appliedCopy(h, cycle);
    expect(copy.store.pendingStructs).not.toBeNull();
    expectRefused(h.check(MALLORY, cycle), 'malformed');
  });

  it('refuses a struct the server already has whose origin is a later clock of its own client (Yjs throws resolving it)', () => {
    const { h } = bucket();
    const known = encodeStructs([rawItem(303, 0, { origin: Y.createID(303, 40), values: [1] })]);
    expect(() => appliedCopy(h, known)).toThrow();
    expectRefused(h.check(MALLORY, known), 'malformed');
  });

  it('refuses a client written in two sections (Yjs keeps only the last) and empty structs', () => {
    const { h, first } = bucket();
    const key = `${first.id}:${MALLORY}`;
    const twice = encodeSections([[rawItem(303, 1, { parent: 'reactions', parentSub: key, values: ['👍'] })], [rawItem(303, 2, { parent: 'reactions', parentSub: key, values: ['🎉'] })]]);
    expectRefused(h.check(MALLORY, twice), 'malformed');
    expectRefused(h.check(MALLORY, encodeStructs([rawItem(303, 1, { parent: 'reactions', parentSub: key, values: [] })])), 'malformed');
  });
});

describe('values that must refer to something real', () => {
  it('refuses 2,000 reactions to messages that do not exist, and accepts one to a real message', () => {
    const { h, mallory, first } = bucket();
    expectRefused(
      h.attempt(mallory, (doc) => {
        for (let i = 0; i < 2_000; i++) doc.getMap('reactions').set(`${newMessageId()}:${MALLORY}`, '👍');
      }),
      'unknown-message',
    );
    expect(
      h.send(
        MALLORY,
        capture(mallory, (doc) => doc.getMap('reactions').set(`${first.id}:${MALLORY}`, '👍')),
      ).ok,
    ).toBe(true);
  });

  it('refuses edits and deletions of unknown messages, and accepts them with the message in the same update', () => {
    const { h, mallory } = bucket();
    h.roles.set(MALLORY, 'admin');
    expectRefused(
      h.attempt(mallory, (doc) => doc.getMap('deletions').set(newMessageId(), { by: MALLORY, at: h.now })),
      'unknown-message',
    );
    const m = message(h, MALLORY, 'typo');
    const update = capture(mallory, (doc) => {
      appendMessage(doc, m);
      doc.getMap('edits').set(m.id, { text: 'fixed', at: h.now });
      doc.getMap('reactions').set(`${m.id}:${MALLORY}`, '👍');
    });
    expect(h.send(MALLORY, update).ok).toBe(true);
  });

  it('refuses a message from the far future and accepts one from the past or slightly ahead', () => {
    const { h, mallory } = bucket();
    const at = (createdAt: number) => ({ ...message(h, MALLORY, `at ${createdAt}`), createdAt });
    expectRefused(
      h.attempt(mallory, (doc) => appendMessage(doc, at(h.now + 365 * 86_400_000))),
      'message-time',
    );
    expectRefused(
      h.attempt(mallory, (doc) => appendMessage(doc, at(h.now + MAX_CLOCK_SKEW_MS + 1))),
      'message-time',
    );
    expect(
      h.send(
        MALLORY,
        capture(mallory, (doc) => appendMessage(doc, at(h.now - 7 * 86_400_000))),
      ).ok,
    ).toBe(true);
    expect(
      h.send(
        MALLORY,
        capture(mallory, (doc) => appendMessage(doc, at(h.now + 60_000))),
      ).ok,
    ).toBe(true);
  });
});
