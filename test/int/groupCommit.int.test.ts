import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseSyncRefusal, SYNC_REFUSALS } from '#schema/api/errors';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import type { RoomId, UserId } from '#schema/ids';
import { SQLITE_FILE_NAME } from '../../sync-server/src/store/openStore';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message, startDm, texts } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** Devices writing at once: each opens the DM's bucket on its own socket. */
const DEVICES = 6;
/** The failing commit is injected this many times in one test. */
const FAULTS = 2;

/** Holds the event loop: every frame the devices sent meanwhile is read in one go afterwards. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/** The app re-attaches a doc refused with a retryable reason (client/src/sync/replica.ts); so does this device. */
function reattachWhenAskedTo(open: OpenDoc, seen: string[]): void {
  open.provider.on('close', ({ event }: { event: { reason?: string } }) => {
    const refusal = parseSyncRefusal(event.reason);
    if (!refusal) return;
    seen.push(refusal);
    if (!SYNC_REFUSALS[refusal].retry) return;
    setTimeout(() => {
      open.provider.detach();
      open.provider.attach();
    }, 100);
  });
}

/**
 * {@link DEVICES} devices of a new DM's two people on its bucket, each on a socket of its
 * own, each having written once (claiming its Yjs client id is a write of its own), with
 * the projections done: what a test counts from here is the appends.
 */
async function devicesInDm(server: TestServer): Promise<{ room: RoomId; devices: OpenDoc[]; authorOf: (d: OpenDoc, i: number) => UserId }> {
  const { alice, bob, room, aBucket, bBucket } = await startDm(server);
  const devices = [aBucket, bBucket, ...Array.from({ length: DEVICES - 2 }, (_, i) => connectClient(server.wsUrl, i % 2 ? alice.token : bob.token).open(bucketDoc(room, 0)))];
  await Promise.all(devices.map((d) => d.synced));
  const authorOf = (d: OpenDoc, i: number) => (d === aBucket || (d !== bBucket && i % 2 === 1) ? alice.id : bob.id);
  devices.forEach((d, i) => appendMessage(d.doc, message(authorOf(d, i), `warm-up ${i}`)));
  await waitFor(() => devices.every((d) => !d.provider.hasUnsyncedChanges), { what: 'warm-up acknowledged' });
  await server.projections.idle();
  return { room, devices, authorOf };
}

describe('group commit', () => {
  it('messages from several devices arriving together are acknowledged after one shared transaction', async () => {
    // The chat-index projection waits longer than the test, so the only writes counted are the appends.
    const server = await startServer({ env: { JECO_PROJECTION_DELAY_MS: '10000' } });
    const { room, devices, authorOf } = await devicesInDm(server);

    const before = server.store.writeStats.transactions;
    devices.forEach((d, i) => appendMessage(d.doc, message(authorOf(d, i), `together ${i}`)));
    busyFor(100);
    await waitFor(() => devices.every((d) => !d.provider.hasUnsyncedChanges), { what: 'every device acknowledged' });
    const appendTransactions = server.store.writeStats.transactions - before;
    expect(appendTransactions).toBe(1);
    const { updates } = await server.store.loadDoc(bucketDoc(room, 0));
    const stored = new Y.Doc();
    for (const u of updates) Y.applyUpdate(stored, u);
    expect(
      texts(stored)
        .filter((t) => t.startsWith('together'))
        .sort(),
    ).toEqual(devices.map((_, i) => `together ${i}`).sort());
  });

  it('messages sent a few milliseconds apart share the next commit, which starts a spacing after the previous one', async () => {
    const spacingMs = 100;
    const server = await startServer({ env: { JECO_PROJECTION_DELAY_MS: '10000', JECO_COMMIT_SPACING_MS: String(spacingMs) } });
    const { room, devices, authorOf } = await devicesInDm(server);
    // Past the spacing: the first message's commit starts at once.
    await new Promise((resolve) => setTimeout(resolve, spacingMs));

    const before = server.store.writeStats.transactions;
    const sentAt = performance.now();
    appendMessage(devices[0]!.doc, message(authorOf(devices[0]!, 0), 'first'));
    await waitFor(() => !devices[0]!.provider.hasUnsyncedChanges, { what: 'the first acknowledged' });
    // Committed alone, without waiting for the spacing: nothing else was sent yet.
    expect(server.store.writeStats.transactions - before).toBe(1);
    // The others follow one by one, 5 ms apart: each in a turn of its own on the server.
    for (const [i, d] of devices.entries()) {
      if (i === 0) continue;
      appendMessage(d.doc, message(authorOf(d, i), `then ${i}`));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => devices.every((d) => !d.provider.hasUnsyncedChanges), { what: 'every device acknowledged' });
    const allAckMs = performance.now() - sentAt;
    // Without the spacing each would be a commit of its own. Two, unless a stall of this
    // process let the spacing run out before the last ones were read.
    const commits = server.store.writeStats.transactions - before;
    expect(commits).toBeGreaterThanOrEqual(2);
    expect(commits).toBeLessThanOrEqual(3);
    expect(allAckMs).toBeGreaterThanOrEqual(spacingMs - 2);
    const { updates } = await server.store.loadDoc(bucketDoc(room, 0));
    const stored = new Y.Doc();
    for (const u of updates) Y.applyUpdate(stored, u);
    expect(texts(stored).filter((t) => t === 'first' || t.startsWith('then '))).toHaveLength(DEVICES);
  });

  it('a failed commit acknowledges nothing of its batch; the devices send again and nothing is lost or doubled', async () => {
    const server = await startServer();
    const { alice, bob, room, aBucket, bBucket } = await startDm(server);
    const seen: string[] = [];
    reattachWhenAskedTo(aBucket, seen);
    reattachWhenAskedTo(bBucket, seen);
    const db = new Database(path.join(server.dataDir, SQLITE_FILE_NAME));
    try {
      for (let fault = 0; fault < FAULTS; fault++) {
        // The server's next commit fails: the log table is not there.
        db.exec('alter table doc_updates rename to doc_updates_away');
        appendMessage(aBucket.doc, message(alice.id, `a ${fault}`));
        appendMessage(bBucket.doc, message(bob.id, `b ${fault}`));
        await waitFor(() => seen.filter((r) => r === 'unavailable').length >= 2 * (fault + 1), { what: 'both refused as unavailable' });
        // Nothing acknowledged, nothing passed on to the other side.
        expect(aBucket.provider.hasUnsyncedChanges).toBe(true);
        expect(bBucket.provider.hasUnsyncedChanges).toBe(true);
        expect(texts(aBucket.doc)).not.toContain(`b ${fault}`);
        expect(texts(bBucket.doc)).not.toContain(`a ${fault}`);
        db.exec('alter table doc_updates_away rename to doc_updates');
        await waitFor(() => !aBucket.provider.hasUnsyncedChanges && !bBucket.provider.hasUnsyncedChanges, { timeoutMs: 10_000, what: 'both acknowledged after the retry' });
      }
      const expected = Array.from({ length: FAULTS }, (_, f) => [`a ${f}`, `b ${f}`])
        .flat()
        .sort();
      await waitFor(() => texts(aBucket.doc).length === expected.length && texts(bBucket.doc).length === expected.length, { what: 'both sides see everything' });
      const { updates } = await server.store.loadDoc(bucketDoc(room, 0));
      const stored = new Y.Doc();
      for (const u of updates) Y.applyUpdate(stored, u);
      expect(texts(stored).sort()).toEqual(expected);
      expect(readMessages(stored).filter((m) => !m.event)).toHaveLength(expected.length);
    } finally {
      db.close();
    }
  });
});
