import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newUserId } from '#schema/ids';
import { message, startDm } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const QUIET_MS = 50;
const BUSY_MS = 5000;
/** Past the time a room counts as busy after its last projection started. */
const IDLE_MS = 1200;

describe('the chat index window', () => {
  it('is short for a quiet chat and longer for a busy one, and nothing waits past it', async () => {
    const server = await startServer({ env: { JECO_PROJECTION_DELAY_MS: String(QUIET_MS), JECO_PROJECTION_BUSY_DELAY_MS: String(BUSY_MS) } });
    const { alice, bob, room, aBucket, b } = await startDm(server);
    const inbox = b.open(inboxDoc(bob.id));
    await inbox.synced;
    const preview = () => readChatEntry(inbox.doc, room)?.lastMessage?.preview;

    // A quiet chat: Bob's chat list shows the message within the short window.
    appendMessage(aBucket.doc, message(alice.id, 'first'));
    await waitFor(() => preview() === 'first', { timeoutMs: BUSY_MS - 2000, what: 'the first message in Bob’s chat list' });

    // Right after: the chat is busy, and the next message gathers for the longer window.
    appendMessage(aBucket.doc, message(alice.id, 'second'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(preview()).toBe('first');
    await waitFor(() => preview() === 'second', { timeoutMs: BUSY_MS + 3000, what: 'the second message after the busy window' });
    expect(readChatEntry(inbox.doc, room)?.count).toBe(2);

    // Quiet again: the short window.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    appendMessage(aBucket.doc, message(alice.id, 'third'));
    await waitFor(() => preview() === 'third', { timeoutMs: BUSY_MS - 2000, what: 'the third message within the short window' });
    await server.close();
  }, 30_000);

  it('is longer still for a busy large group, by its member count', async () => {
    // 60 members at 25 ms each: a busy group's window is 1.5 s, a busy DM's 100 ms.
    const server = await startServer({ env: { JECO_PROJECTION_DELAY_MS: String(QUIET_MS), JECO_PROJECTION_BUSY_DELAY_MS: '100', JECO_PROJECTION_BUSY_MS_PER_MEMBER: '25' } });
    const { alice, bob, room: dm, a, aBucket, b } = await startDm(server);
    const group = newGroupId();
    const head = a.open(roomHeadDoc(group));
    await head.synced;
    initGroup(head.doc, { name: 'Sixty', owner: alice.id, members: [bob.id, ...Array.from({ length: 58 }, () => newUserId())], now: Date.now() });
    await a.settled();
    await waitFor(async () => (await server.store.getRoomMembers(group)).length === 60, { what: 'the group stored' });
    await server.projections.idle();
    const groupBucket = a.open(bucketDoc(group, 0));
    await groupBucket.synced;
    const inbox = b.open(inboxDoc(bob.id));
    await inbox.synced;
    const preview = (room: typeof dm) => readChatEntry(inbox.doc, room)?.lastMessage?.preview;

    // Both quiet: each chat's first message in Bob's chat list within the short window.
    appendMessage(aBucket.doc, message(alice.id, 'dm 1'));
    appendMessage(groupBucket.doc, message(alice.id, 'group 1'));
    await waitFor(() => preview(dm) === 'dm 1' && preview(group) === 'group 1', { timeoutMs: 3000, what: 'both first messages in Bob’s chat list' });

    // Both busy now: the DM's next message follows within its 100 ms, the group's waits its 1.5 s.
    appendMessage(aBucket.doc, message(alice.id, 'dm 2'));
    appendMessage(groupBucket.doc, message(alice.id, 'group 2'));
    await waitFor(() => preview(dm) === 'dm 2', { timeoutMs: 900, what: 'the DM’s second message within its busy window' });
    await new Promise((resolve) => setTimeout(resolve, 1000 - 100));
    expect(preview(group)).toBe('group 1');
    await waitFor(() => preview(group) === 'group 2', { timeoutMs: 4000, what: 'the group’s second message after its longer window' });
    expect(readChatEntry(inbox.doc, group)?.count).toBe(2);
    await server.close();
  }, 30_000);
});
