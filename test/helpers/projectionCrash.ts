import { expect } from 'vitest';
import * as Y from 'yjs';
import type { Store } from '../../sync-server/src/store/db/store';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId, newMessageId, newUserId, type UserId } from '#schema/ids';
import { registerUser } from './api';
import { connectClient, type OpenDoc } from './client';
import { freePort, startServerProcess } from './serverProcess';
import { waitFor } from './waitFor';

/** Members of the group: the two who write and 98 who only receive (their chat indexes are checked). */
const MEMBERS = 100;
/** Messages each writer queues per burst; the server is killed while they are being acknowledged. */
const BURST = 60;
/** How many times the burst-and-kill is repeated in one test. */
const CRASHES = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Design §5b: the chat index is derived data written off the acknowledgement path; a
 * crash between a message's append and its projection must neither lose nor double it.
 * Two members of a 100-member group write bursts; the server process is SIGKILLed while
 * the burst is being acknowledged, and restarted on the same data; this repeats. At the
 * end (after the devices re-sent whatever was not acknowledged and the server stopped
 * cleanly), every member's chat index, read from the store, names the room's last
 * message and counts every message exactly once.
 */
export async function killDuringBurst(args: { dataDir: string; env?: Record<string, string>; openStore: () => Promise<Store> }): Promise<void> {
  const port = await freePort();
  const start = () => startServerProcess({ dataDir: args.dataDir, port, env: { JECO_LOG_LEVEL: 'error', JECO_SYNC_BURST: '10000', JECO_SYNC_UPDATES_PER_SEC: '10000', ...args.env } });
  let server = await start();
  const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
  const others: UserId[] = Array.from({ length: MEMBERS - 2 }, () => newUserId());
  const roomId = newGroupId();

  const a = connectClient(server.wsUrl, alice.token);
  const head = a.open(roomHeadDoc(roomId));
  await head.synced;
  initGroup(head.doc, { name: 'Crowd', owner: alice.id, members: [bob.id, ...others], now: Date.now() });
  await a.settled();
  const b = connectClient(server.wsUrl, bob.token);
  const writers: { author: UserId; bucket: OpenDoc }[] = [];
  for (const [client, user] of [
    [a, alice],
    [b, bob],
  ] as const) {
    // The group's buckets open once the head's projection stored the group (retryable
    // `out_of_order:group-not-created` before): probe on a socket of its own until then.
    await waitFor(
      async () => {
        const probe = connectClient(server.wsUrl, user.token);
        const tried = probe.open(bucketDoc(roomId, 0));
        const outcome = await Promise.race([tried.synced.then(() => 'synced'), tried.refused, sleep(2000).then(() => 'waiting')]);
        probe.close();
        return outcome === 'synced';
      },
      { timeoutMs: 60_000, what: `${user.username} to open the bucket` },
    );
    const bucket = client.open(bucketDoc(roomId, 0));
    await bucket.synced;
    writers.push({ author: user.id, bucket });
  }

  let written = 0;
  for (let crash = 0; crash < CRASHES; crash++) {
    for (let i = 0; i < BURST; i++) {
      for (const writer of writers) {
        appendMessage(writer.bucket.doc, { id: newMessageId(), authorId: writer.author, createdAt: Date.now() + written, text: `m${written}` });
        written++;
      }
      if (i === BURST / 2) await sleep(30);
    }
    // Killed while the burst is being appended and projected.
    await sleep(40);
    await server.kill('SIGKILL');
    server = await start();
    // The devices reconnect by themselves and send what was not acknowledged.
    await Promise.all([a.settled(), b.settled()]);
  }
  await waitFor(() => writers.every((w) => readMessages(w.bucket.doc).filter((m) => !m.event).length === written), { timeoutMs: 20_000, what: 'devices to converge' });
  await sleep(300);
  expect((await server.kill('SIGTERM')).code).toBe(0);
  a.close();
  b.close();

  const store = await args.openStore();
  try {
    const replay = async (name: string) => {
      const { snapshot, updates } = await store.loadDoc(name);
      const doc = new Y.Doc();
      for (const u of snapshot ? [snapshot, ...updates] : updates) Y.applyUpdate(doc, u);
      return doc;
    };
    const messages = readMessages(await replay(bucketDoc(roomId, 0)));
    const sent = messages.filter((m) => !m.event);
    expect(sent).toHaveLength(written);
    expect(new Set(sent.map((m) => m.id)).size).toBe(written);
    const last = messages.reduce((x, y) => (y.createdAt >= x.createdAt ? y : x));
    for (const member of [alice.id, bob.id, ...others]) {
      const entry = readChatEntry(await replay(inboxDoc(member)), roomId);
      expect(entry, `chat index of ${member}`).not.toBeNull();
      expect({ member, count: entry!.count, last: entry!.lastMessage?.id }).toEqual({ member, count: written, last: last.id });
    }
    expect(await store.listProjectionMarks()).toEqual([]);
  } finally {
    await store.close();
  }
}
