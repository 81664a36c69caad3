import { describe, expect, it } from 'vitest';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { parseSyncRefusal, SYNC_REFUSALS } from '#schema/api/errors';
import { encodeTypingSignal } from '#schema/api/presence';
import { appendMessage } from '#schema/docs/bucket';
import { addContact } from '#schema/docs/contacts';
import { setChatState } from '#schema/docs/inbox';
import { bucketDoc, contactsDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { dmRoomId, newUserId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { watchPresence } from '../helpers/presence';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { groupWorld, retryLikeTheClient, newMessage, nextClose, texts } from './groupWorld';
import { RawSyncSocket } from './rawSync';

/** Times /healthz; the server must answer it quickly whatever a flooder does. */
async function healthMs(server: TestServer): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
  return performance.now() - started;
}

describe('docs open per user', async () => {
  const CAP = 100;
  const server = await startServer({ env: { JECO_SYNC_DOCS_OPEN: String(CAP) } });

  it("cuts one socket opening thousands of docs at the cap, counts the user's other sockets in it, and spares everyone else", async () => {
    const w = await groupWorld(server);
    // The server's health answers before the flood, on this machine as loaded as it is now: the baseline.
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) baseline.push(await healthMs(server));
    const raw = await RawSyncSocket.open(server.wsUrl);
    const answers: string[] = [];
    const slowest: number[] = [];
    // Buckets of a group Mallory belongs to: every name passes the membership check.
    // In rounds of 50, under Hocuspocus' cap on docs waiting for their auth answer.
    for (let round = 0; round < 40; round++) {
      const names = Array.from({ length: 50 }, (_, i) => bucketDoc(w.room, 1 + round * 50 + i));
      const [batch, health] = await Promise.all([Promise.all(names.map((name) => raw.auth(name, w.mallory.user.token))), healthMs(server)]);
      answers.push(...batch);
      slowest.push(health);
    }
    // Mallory's seat already holds the group's head and bucket 0 on another socket.
    expect(answers.filter((a) => a === 'authenticated')).toHaveLength(CAP - 2);
    expect(answers.filter((a) => a === 'too_many_docs')).toHaveLength(2000 - (CAP - 2));
    expect(raw.isOpen).toBe(true);
    // Never frozen: health answers as fast as before the flood, give or take a busy machine's spread.
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    expect(median(slowest)).toBeLessThan(Math.max(250, 4 * median(baseline)));
    expect(Math.max(...slowest)).toBeLessThan(Math.max(1000, 4 * Math.max(...baseline)));

    // The cap is the user's: a new tab of Mallory's is refused too, with a retryable reason.
    const tab = connectClient(server.wsUrl, w.mallory.user.token);
    const inbox = tab.open(inboxDoc(w.mallory.user.id));
    expect(await inbox.refused).toBe('too_many_docs');

    // Others open docs and chat as before; Mallory's open docs still work.
    const bobInbox = w.bob.client.open(inboxDoc(w.bob.user.id));
    await bobInbox.synced;
    await w.stillServed();
    const fromAlice = newMessage(w.alice.user.id, 'still on for 9?');
    appendMessage(w.alice.bucket.doc, fromAlice);
    await waitFor(() => texts(w.mallory.bucket.doc).includes(fromAlice.text), { what: 'Mallory to keep receiving' });

    // Closing the flooding socket gives the slots back; the client retries as the app does.
    raw.close();
    const retry = tab.open(contactsDoc(w.mallory.user.id));
    retry.provider.on('authenticationFailed', () =>
      setTimeout(() => {
        retry.provider.detach();
        retry.provider.attach();
      }, 100),
    );
    let synced = false;
    void retry.synced.then(() => (synced = true));
    await waitFor(() => synced, { what: 'a doc of Mallory to open once the flood socket closed' });
  });
});

describe('messages per user', async () => {
  // Small budgets, so a flood is short; each doc below sends fewer than the burst on its own.
  const BURST = 60;
  const server = await startServer({ env: { JECO_SYNC_UPDATES_PER_SEC: '20', JECO_SYNC_BURST: String(BURST) } });

  it('limits updates spread over many docs and two sockets together, while another user keeps chatting', async () => {
    const w = await groupWorld(server);
    const second = connectClient(server.wsUrl, w.mallory.user.token);
    const inbox = second.open(inboxDoc(w.mallory.user.id));
    const contacts = second.open(contactsDoc(w.mallory.user.id));
    await Promise.all([inbox.synced, contacts.synced]);
    const docs = [w.mallory.bucket, w.mallory.head, inbox, contacts];
    const closes = docs.map((doc) => nextClose(doc));

    // 4 docs x 25 updates: each doc alone stays under the burst (60), together they do not.
    const PER_DOC = 25;
    for (let i = 0; i < PER_DOC; i++) {
      appendMessage(w.mallory.bucket.doc, newMessage(w.mallory.user.id, `flood ${i}`));
      w.mallory.head.provider.sendStateless(encodeTypingSignal(true));
      setChatState(inbox.doc, w.room, 'draft', { text: `draft ${i}`, at: Date.now() });
      addContact(contacts.doc, w.alice.user.id, { addedAt: Date.now(), nickname: `n${i}` });
    }
    await waitFor(() => closes.some((c) => c.reason() !== undefined), { what: "one of Mallory's connections to be cut" });
    const reasons = closes.map((c) => c.reason()).filter((r) => r !== undefined);
    expect(reasons.every((r) => r === 'rate_limited')).toBe(true);

    // Alice and Bob chat on, and the server answers health checks at once.
    await w.stillServed();
    expect(await healthMs(server)).toBeLessThan(1000);

    // The refusals are retryable: the client re-attaches and nothing of the flood is lost.
    const retried = docs.map((doc) => retryLikeTheClient(doc));
    for (const [i, doc] of docs.entries()) {
      if (closes[i]!.reason() === undefined) continue;
      doc.provider.detach();
      doc.provider.attach();
    }
    await waitFor(() => texts(w.bob.bucket.doc).filter((t) => t.startsWith('flood ')).length === PER_DOC, { what: 'the whole flood after re-syncing', timeoutMs: 15_000 });
    expect(retried.flat().every((reason) => SYNC_REFUSALS[parseSyncRefusal(reason)!]?.retry)).toBe(true);
  });

  it('counts doc opens as messages: a socket asking for docs as fast as it can is slowed, and no one else', async () => {
    const w = await groupWorld(server);
    const raw = await RawSyncSocket.open(server.wsUrl);
    const started = performance.now();
    const answers: string[] = [];
    for (let round = 0; round < 6; round++) {
      const names = Array.from({ length: 50 }, (_, i) => bucketDoc(w.room, 100 + round * 50 + i));
      answers.push(...(await Promise.all(names.map((name) => raw.auth(name, w.mallory.user.token)))));
    }
    const seconds = (performance.now() - started) / 1000;
    const authenticated = answers.filter((a) => a === 'authenticated').length;
    expect(answers.filter((a) => a === 'rate_limited').length).toBeGreaterThan(0);
    expect(authenticated).toBeLessThanOrEqual(BURST + Math.ceil(20 * seconds));
    await w.stillServed();
    raw.close();
  });

  it('cuts a raw socket sending thousands of messages over many docs within its burst, and no one else', async () => {
    const w = await groupWorld(server);
    const raw = await RawSyncSocket.open(server.wsUrl);
    const names = Array.from({ length: 20 }, (_, i) => bucketDoc(w.room, 10 + i));
    expect(await Promise.all(names.map((name) => raw.auth(name, w.mallory.user.token)))).toEqual(names.map(() => 'authenticated'));
    for (let i = 0; i < 2000; i++) raw.syncStep1(names[i % names.length]!);
    await waitFor(() => raw.closes.size === names.length, { what: 'every flooding doc connection to be cut', timeoutMs: 10_000 });
    expect(new Set(raw.closes.values())).toEqual(new Set(['rate_limited']));
    await w.stillServed();
    expect(await healthMs(server)).toBeLessThan(1000);
    raw.close();
  });
});

/** An awareness update that sets `state` for `clientId`, at a clock past anything a real client reached. */
function awarenessFor(clientId: number, state: Record<string, unknown>): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const awareness = new Awareness(doc);
  for (let i = 0; i < 1000; i++) awareness.setLocalState({ ...state, i });
  const update = encodeAwarenessUpdate(awareness, [clientId]);
  awareness.destroy();
  return update;
}

describe('awareness', async () => {
  const server = await startServer();

  /** A room head with an awareness holding a state from the start, as a client of an older app version has. */
  function openHead(client: ReturnType<typeof connectClient>, name: string): OpenDoc & { awareness: Awareness } {
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    awareness.setLocalState({ typing: Date.now() });
    return { ...client.open(name, doc, awareness), awareness };
  }

  it("passes on no client's state, its own or another user's, from a provider or a raw socket; typing goes as the server's message", async () => {
    const w = await groupWorld(server);
    const head = roomHeadDoc(w.room);
    const alice = openHead(connectClient(server.wsUrl, w.alice.user.token), head);
    const bob = openHead(connectClient(server.wsUrl, w.bob.user.token), head);
    const mallory = openHead(connectClient(server.wsUrl, w.mallory.user.token), head);
    const bobSees = watchPresence(bob);
    await Promise.all([alice.synced, bob.synced, mallory.synced]);
    mallory.awareness.setLocalStateField('blob', 'x'.repeat(3000));
    alice.awareness.setLocalStateField('typing', 1);
    const raw = await RawSyncSocket.open(server.wsUrl);
    expect(await raw.auth(head, w.mallory.user.token)).toBe('authenticated');
    raw.awareness(head, awarenessFor(alice.doc.clientID, { typing: Date.now(), user: { id: w.alice.user.id, name: 'Alice' } }));
    raw.awareness(head, awarenessFor(777_777, { typing: 1 }));
    // Alice's typing, the app's way, reaches Bob: everything sent before it has been handled.
    w.alice.head.provider.sendStateless(encodeTypingSignal(true));
    await waitFor(() => bobSees.typists().includes(w.alice.user.id), { what: "Alice's typing to reach Bob" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...bob.awareness.getStates().keys()]).toEqual([bob.doc.clientID]);
    raw.close();
  });
});

describe('DMs', async () => {
  const server = await startServer();

  it('refuses a DM with a user who does not exist as forbidden, and opens one with a user who does', async () => {
    const [mallory, bob] = await Promise.all([registerUser(server.url, 'Mallory'), registerUser(server.url, 'Bob')]);
    const client = connectClient(server.wsUrl, mallory.token);
    const nobody = client.open(roomHeadDoc(dmRoomId(mallory.id, newUserId())));
    const nobodyBucket = client.open(bucketDoc(dmRoomId(mallory.id, newUserId()), 0));
    expect(await nobody.refused).toBe('forbidden');
    expect(await nobodyBucket.refused).toBe('forbidden');
    const real = client.open(roomHeadDoc(dmRoomId(mallory.id, bob.id)));
    await real.synced;
  });
});

describe('honest use under the default budgets', async () => {
  const server = await startServer();

  it('never refuses several tabs of one person whose docs all reconnect at once after a restart', async () => {
    const w = await groupWorld(server);
    const TABS = 5;
    const DOCS_PER_TAB = 40;
    const refusals: string[] = [];
    const tabs = Array.from({ length: TABS }, () => connectClient(server.wsUrl, w.alice.user.token));
    const docs = tabs.flatMap((tab) => [tab.open(inboxDoc(w.alice.user.id)), tab.open(roomHeadDoc(w.room)), ...Array.from({ length: DOCS_PER_TAB - 2 }, (_, i) => tab.open(bucketDoc(w.room, i)))]);
    // The restart itself closes every socket ("Reset Connection"); only Jeco's refusals count.
    const note = (reason: string | undefined) => parseSyncRefusal(reason) && refusals.push(reason!);
    for (const doc of docs) {
      doc.provider.on('close', ({ event }: { event: { reason: string } }) => note(event.reason));
      doc.provider.on('authenticationFailed', ({ reason }: { reason: string }) => note(reason));
    }
    await Promise.all(docs.map((doc) => doc.synced));

    // Every socket drops and every doc of every tab catches up at the same moment.
    const restarted = await server.restart();
    let resynced = 0;
    for (const doc of docs) doc.provider.on('synced', ({ state }: { state: boolean }) => state && resynced++);
    await waitFor(() => resynced >= docs.length, { what: 'every doc to sync again', timeoutMs: 20_000 });
    const message = newMessage(w.alice.user.id, 'back online');
    appendMessage(docs[2]!.doc, message);
    await waitFor(() => texts(w.bob.bucket.doc).includes(message.text), { what: "Alice's message after the restart to reach Bob", timeoutMs: 10_000 });
    expect(refusals).toEqual([]);
    await restarted.close();
  });
});
