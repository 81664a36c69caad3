import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { inboxDoc } from '#schema/docs/names';
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
});
