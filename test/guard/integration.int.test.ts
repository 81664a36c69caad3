import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendMessage, BUCKET, readMessages } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { newMessageId, type UserId } from '#schema/ids';
import { encodeSections, encodeStructs, rawGc, rawItem } from '../../sync-server/src/sync/rawUpdate';
import { connectClient } from '../helpers/client';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { expectRefused } from './attack';
import { contentOf, stateOf } from './docContent';
import { updateFrame } from './rawSync';
import { expectSameAsServer, groupWorld, newMessage, nextClose, takeSeat, texts, type GroupWorld } from './groupWorld';

/** The slowest of `/healthz` answers asked every few milliseconds while `during` runs. */
async function slowestHealth(server: TestServer, during: () => Promise<void>): Promise<number> {
  let slowest = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${server.url}/healthz`);
      expect(response.ok).toBe(true);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  try {
    await during();
  } finally {
    running = false;
    await probe;
  }
  return slowest;
}

/** Sends a hand-written update on Mallory's bucket connection; resolves with the close reason. */
async function sendForged(w: GroupWorld, payload: Uint8Array): Promise<string> {
  const close = nextClose(w.mallory.bucket);
  w.mallory.client.socket.send(updateFrame(w.mallory.bucket.provider.effectiveName, payload));
  return close.closed;
}

/** The server answers health checks at once, everyone else still chats, and Bob's replica is exactly the server's. */
async function unharmed(w: GroupWorld, before: Buffer): Promise<void> {
  const name = bucketDoc(w.room, 0);
  expect(stateOf(w.serverDoc(name)).equals(before)).toBe(true);
  const started = performance.now();
  expect((await fetch(`${w.server.url}/healthz`)).ok).toBe(true);
  expect(performance.now() - started).toBeLessThan(1_000);
  await w.stillServed();
  await expectSameAsServer(w, name, w.bob.bucket.doc);
}

describe('the guard models where Yjs integrates, over a real socket', async () => {
  const server = await startServer();

  it('refuses a flood of 10,000 GC structs under new client ids at once, claims none, and health answers in milliseconds', async () => {
    const w = await groupWorld(server);
    const before = stateOf(w.serverDoc(bucketDoc(w.room, 0)));
    const flood = encodeSections(Array.from({ length: 10_000 }, (_, i) => [rawGc(2_000_000_000 + i, 0)]));
    let reason = '';
    const slowest = await slowestHealth(server, async () => {
      for (let round = 0; round < 5; round++) {
        reason = await sendForged(w, flood);
        w.mallory.bucket.provider.detach();
        w.mallory.bucket.provider.attach();
        await waitFor(() => w.mallory.bucket.provider.isSynced, { what: "Mallory's bucket to reconnect" });
      }
    });
    expect(reason).toBe('rejected_update:gc');
    // Claimed one fsync'd insert at a time, the same flood stalled every request for seconds;
    // refused, it costs a decode (tens of ms). The bound leaves room for a loaded test machine.
    expect(slowest).toBeLessThan(1_000);
    // Nobody owns those ids: the first to claim one now gets it.
    const owners = await server.store.claimClientIds([2_000_000_000, 2_000_009_999], w.bob.user.id as UserId);
    expect([...owners.values()]).toEqual([w.bob.user.id, w.bob.user.id]);
    await unharmed(w, before);
  });

  it('refuses more new client ids in one update than a device has any use for', async () => {
    const w = await groupWorld(server);
    const before = stateOf(w.serverDoc(bucketDoc(w.room, 0)));
    const many = encodeStructs(
      Array.from({ length: 50 }, (_, i) => rawItem(1_000_000_000 + i, 0, { parent: BUCKET.reactions, parentSub: `${w.aliceMessage.id}:${w.mallory.user.id}`, values: ['👍'] })),
    );
    expect(await sendForged(w, many)).toBe('rejected_update:client-ids');
    await unharmed(w, before);
  });

  it("refuses a re-sent struct that claims `reactions` but that Yjs would anchor in `messages`; Mallory's message stays", async () => {
    const w = await groupWorld(server);
    const mine = newMessage(w.mallory.user.id, 'my own message');
    appendMessage(w.mallory.bucket.doc, mine);
    await w.mallory.client.settled();
    await waitFor(() => texts(w.bob.bucket.doc).includes(mine.text), { what: "Bob to get Mallory's message" });
    const before = stateOf(w.serverDoc(bucketDoc(w.room, 0)));
    const client = w.mallory.bucket.doc.clientID;
    const clock = Y.getState(w.mallory.bucket.doc.store, client) - 1;
    const forged = encodeStructs([rawItem(client, clock, { parent: BUCKET.reactions, parentSub: `${w.aliceMessage.id}:${w.mallory.user.id}`, values: ['x', '🎉'] })]);
    expect(await sendForged(w, forged)).toBe('rejected_update:malformed');
    await unharmed(w, before);
    expect(texts(w.bob.bucket.doc)).toContain(mine.text);
  });

  it('refuses an update Yjs would leave pending (an origin cycle across two of her ids) and never logs it', async () => {
    const w = await groupWorld(server);
    const before = stateOf(w.serverDoc(bucketDoc(w.room, 0)));
    const cycle = encodeStructs([
      rawItem(1_100_000_001, 0, { origin: Y.createID(1_100_000_002, 0), values: [1] }),
      rawItem(1_100_000_001, 1, { parent: BUCKET.edits, parentSub: 'k', values: [2] }),
      rawItem(1_100_000_002, 0, { origin: Y.createID(1_100_000_001, 1), values: [3] }),
    ]);
    expect(await sendForged(w, cycle)).toBe('rejected_update:malformed');
    await unharmed(w, before);
    expect(w.serverDoc(bucketDoc(w.room, 0)).store.pendingStructs).toBeNull();
  });

  it('refuses 2,000 reactions to messages that do not exist', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => {
        for (let i = 0; i < 2_000; i++) doc.getMap(BUCKET.reactions).set(`${newMessageId()}:${w.mallory.user.id}`, '👍');
      },
      reason: 'rejected_update:unknown-message',
      observers: [w.bob.bucket.doc],
    });
    expect(w.bob.bucket.doc.getMap(BUCKET.reactions).size).toBe(0);
  });

  it('refuses a message from the far future, which would pin the chat for everyone', async () => {
    const w = await groupWorld(server);
    await expectRefused(w, {
      via: w.mallory.bucket,
      write: (doc) => appendMessage(doc, { ...newMessage(w.mallory.user.id, 'pinned forever'), createdAt: Date.now() + 365 * 86_400_000 }),
      reason: 'rejected_update:message-time',
      observers: [w.bob.bucket.doc],
    });
    expect(texts(w.bob.bucket.doc)).not.toContain('pinned forever');
  });
});

describe('after refused attacks, the bucket reloads from the log as members hold it', async () => {
  it('a re-sent clock with forged content never reaches the log: the bucket reloads exactly as members hold it', async () => {
    let server = await startServer();
    const w = await groupWorld(server);
    const mine = newMessage(w.mallory.user.id, 'mine');
    appendMessage(w.mallory.bucket.doc, mine);
    await w.mallory.client.settled();
    await waitFor(() => texts(w.bob.bucket.doc).includes(mine.text), { what: "Bob to get Mallory's message" });
    // Two of her writes, logged as two rows.
    w.mallory.bucket.doc.getMap(BUCKET.reactions).set(`${mine.id}:${w.mallory.user.id}`, '👍');
    await w.mallory.client.settled();
    const client = w.mallory.bucket.doc.clientID;
    const first = Y.getState(w.mallory.bucket.doc.store, client) - 2;
    const deletion = { by: w.mallory.user.id, at: 1 };
    // Clocks the server holds, with other content: Yjs skips them live, but one struct
    // spanning both rows would win over them when the log is merged on load. Then a re-anchor.
    const attacks = [
      encodeStructs([
        rawItem(client, first, { parent: BUCKET.deletions, parentSub: w.aliceMessage.id, values: [deletion, deletion] }),
        // Something new with it, so the update is not dropped as adding nothing: she changes her reaction.
        rawItem(client, first + 2, { origin: Y.createID(client, first + 1), values: ['🎉'] }),
      ]),
      encodeStructs([rawItem(client, first + 1, { parent: BUCKET.reactions, parentSub: `${mine.id}:${w.mallory.user.id}`, values: ['x', '🎉'] })]),
    ];
    for (const attack of attacks) {
      // From a connection of her own that holds no doc of its own (her app's doc would see
      // its client id written elsewhere and take a new one).
      const forger = connectClient(server.wsUrl, w.mallory.user.token).open(bucketDoc(w.room, 0));
      await forger.synced;
      const close = nextClose(forger);
      forger.provider.configuration.websocketProvider.send(updateFrame(forger.provider.effectiveName, attack));
      await Promise.race([close.closed, new Promise((resolve) => setTimeout(resolve, 300))]);
    }
    await w.stillServed();
    // Everything, not only what parses as messages: a forged value in the array must show.
    const held = JSON.stringify(contentOf(w.bob.bucket.doc));
    expect(held).toBe(JSON.stringify(contentOf(w.serverDoc(bucketDoc(w.room, 0)))));
    // The world's own clients go first: nobody reconnects to the restarted server but the seats below.
    for (const seat of [w.alice, w.bob, w.mallory]) seat.client.close();
    server = await server.restart();
    const bob = await takeSeat(server, w.room, w.bob.user);
    expect(JSON.stringify(contentOf(server.hocuspocus.documents.get(bucketDoc(w.room, 0))!))).toBe(held);
    expect(JSON.stringify(contentOf(bob.bucket.doc))).toBe(held);
  });
});

describe('messages are appended only at the end, across a reload of the bucket', async () => {
  it('refuses a message placed at index 0 or in the middle of history loaded from the store; honest members go on', async () => {
    let server = await startServer();
    const w = await groupWorld(server);
    // History from an hour ago (devices that were offline keep the time they wrote).
    const anHourAgo = Date.now() - 3_600_000;
    appendMessage(w.bob.bucket.doc, { ...newMessage(w.bob.user.id, 'second'), createdAt: anHourAgo });
    appendMessage(w.alice.bucket.doc, { ...newMessage(w.alice.user.id, 'third'), createdAt: anHourAgo });
    await Promise.all([w.alice.client.settled(), w.bob.client.settled()]);
    // After a restart the bucket comes from the log: its messages count as recent only by their own time.
    // The world's own clients go first: nobody reconnects to the restarted server but the seats below.
    for (const seat of [w.alice, w.bob, w.mallory]) seat.client.close();
    server = await server.restart();
    const name = bucketDoc(w.room, 0);
    const mallory = await takeSeat(server, w.room, w.mallory.user);
    const bob = await takeSeat(server, w.room, w.bob.user);
    const alice = await takeSeat(server, w.room, w.alice.user);
    const history = texts(bob.bucket.doc);
    // Bob's and Alice's were concurrent appends after the first message: Yjs orders them by client id.
    expect(history[0]).toBe(w.aliceMessage.text);
    expect(history.slice(1).sort()).toEqual(['second', 'third']);
    const serverDoc = () => server.hocuspocus.documents.get(name)!;

    for (const origin of [null, readMessages(serverDoc()).length > 1 ? firstItemId(serverDoc()) : null]) {
      const before = stateOf(serverDoc());
      const close = nextClose(mallory.bucket);
      const forged = encodeStructs([
        rawItem(
          1_200_000_000 + (origin ? 1 : 0),
          0,
          origin ? { origin, values: [newMessage(w.mallory.user.id, 'rewritten history')] } : { parent: BUCKET.messages, values: [newMessage(w.mallory.user.id, 'rewritten history')] },
        ),
      ]);
      mallory.client.socket.send(updateFrame(mallory.bucket.provider.effectiveName, forged));
      await expect(close.closed).resolves.toBe('rejected_update:messages-append-only');
      expect(stateOf(serverDoc()).equals(before)).toBe(true);
      mallory.bucket.provider.detach();
      mallory.bucket.provider.attach();
      await waitFor(() => mallory.bucket.provider.isSynced, { what: "Mallory's bucket to reconnect" });
    }
    // Honest appends after the true end still go through, and everyone agrees on the order.
    appendMessage(bob.bucket.doc, newMessage(w.bob.user.id, 'fourth'));
    await waitFor(() => texts(alice.bucket.doc).includes('fourth'), { what: "Bob's message to reach Alice" });
    expect(texts(bob.bucket.doc)).toEqual([...history, 'fourth']);
    expect(texts(alice.bucket.doc)).toEqual(texts(bob.bucket.doc));
  });
});

/** The id of the first message item of a bucket (an old message to insert after). */
function firstItemId(doc: Y.Doc): Y.ID {
  const first = doc.getArray(BUCKET.messages)._start!;
  return first.id;
}
