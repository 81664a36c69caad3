import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc } from '#schema/docs/names';
import { DISAPPEARING_CHOICES, setDisappearing } from '#schema/docs/roomHead';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { holdsText, sqliteStoredRows } from '../helpers/storedBytes';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from '../guard/attack';
import { groupWorld, newMessage, systemLines } from '../guard/groupWorld';

const DAY_MS = 24 * 60 * 60_000;

describe('disappearing messages', () => {
  // The pass reads this clock: a test moves it a day on instead of waiting one.
  let skipped = 0;
  const start = () => startServer({ clock: () => Date.now() + skipped, env: { JECO_DISAPPEARING_SWEEP_MS: '100' } });

  it("a message older than the chat's setting leaves the stored rows, every replica and the chat lists; older history and places stay", async () => {
    skipped = 0;
    const server = await start();
    const w = await groupWorld(server);
    const name = bucketDoc(w.room, 0);
    const kept = newMessage(w.bob.user.id, 'sent before the timer');
    appendMessage(w.bob.bucket.doc, kept);
    await w.bob.client.settled();

    setDisappearing(w.alice.head.doc, DAY_MS, w.alice.user.id, Date.now());
    await w.alice.client.settled();
    await server.projections.idle();
    // A line says who set it, for everyone.
    await waitFor(() => systemLines(w.bob.bucket.doc).some((line) => line.startsWith(`disappearing ${w.alice.user.id}`)), { what: 'the line to reach Bob' });

    const secret = `the safe code is ${randomBytes(6).toString('hex')}`;
    const doomed = newMessage(w.bob.user.id, secret);
    appendMessage(w.bob.bucket.doc, doomed);
    await waitFor(() => readMessages(w.mallory.bucket.doc).some((m) => m.id === doomed.id), { what: 'the message to reach Mallory' });
    await waitFor(() => holdsText(sqliteStoredRows(server, inboxDoc(w.alice.user.id)), secret), { what: "the preview in Alice's stored inbox" });
    const order = readMessages(w.alice.bucket.doc).map((m) => m.id);
    expect(holdsText(sqliteStoredRows(server, name), secret)).toBe(true);

    // A day and an hour later (as the server's pass sees it): gone everywhere.
    skipped = DAY_MS + 60 * 60_000;
    await waitFor(() => !holdsText(sqliteStoredRows(server, name), secret), { what: 'the stored rows to lose the text' });
    for (const seat of [w.alice, w.bob, w.mallory]) {
      await waitFor(() => !holdsText([Y.encodeStateAsUpdate(seat.bucket.doc)], secret), { what: 'the replicas to lose the text' });
      await waitFor(() => !holdsText(sqliteStoredRows(server, inboxDoc(seat.user.id)), secret), { what: 'the stored inboxes to lose the preview' });
      // Every message keeps its place (receipts and chat-list positions count them).
      expect(readMessages(seat.bucket.doc).map((m) => m.id)).toEqual(order);
    }
    const copy = readMessages(w.bob.bucket.doc).find((m) => m.id === doomed.id);
    expect(copy).toEqual({ id: doomed.id, authorId: w.bob.user.id, createdAt: doomed.createdAt, text: '', deleted: true, expired: true });
    // What was sent before the setting, and the system lines, stay.
    expect(readMessages(w.bob.bucket.doc).find((m) => m.id === kept.id)?.text).toBe('sent before the timer');
    expect(systemLines(w.bob.bucket.doc).some((line) => line.startsWith('disappearing'))).toBe(true);

    // The chat list previewed it while it was the latest: it previews nothing of it now.
    const late = connectClient(server.wsUrl, w.alice.user.token);
    const inbox = late.open(inboxDoc(w.alice.user.id));
    await inbox.synced;
    expect(readChats(inbox.doc).find((c) => c.roomId === w.room)?.lastMessage?.preview).toBe('');
  });

  it('a plain member of a group may not set its timer', async () => {
    skipped = 0;
    const server = await start();
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.head,
      write: (doc) => setDisappearing(doc, DAY_MS, w.mallory.user.id, Date.now()),
      reason: 'rejected_update:admin-only',
      observers: [w.bob.head.doc],
    });
  });

  it('a period that is not one of the choices is refused', async () => {
    skipped = 0;
    const server = await start();
    const w = await groupWorld(server);
    expect(DISAPPEARING_CHOICES).not.toContain(1000);
    await expectRefused(w, {
      via: w.alice.head,
      write: (doc) => doc.getMap('meta').set('disappearing', { afterMs: 1000, by: w.alice.user.id, at: Date.now() }),
      reason: 'rejected_update:value-shape',
      observers: [w.bob.head.doc],
    });
  });

  it("a disappearing setting in another's name is refused", async () => {
    skipped = 0;
    const server = await start();
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.alice.head,
      write: (doc) => doc.getMap('meta').set('disappearing', { afterMs: DAY_MS, by: w.bob.user.id, at: Date.now() }),
      reason: 'rejected_update:author',
      observers: [w.bob.head.doc],
    });
  });
});
