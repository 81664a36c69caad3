import { describe, expect, it } from 'vitest';
import { parseSyncRefusal, SYNC_REFUSALS } from '#schema/api/errors';
import { appendMessage } from '#schema/docs/bucket';
import { renameGroup } from '#schema/docs/roomHead';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';
import { stateOf } from './docContent';
import { sendAndAwaitClose, updateFrame } from './rawSync';
import { groupWorld, retryLikeTheClient, newMessage, nextClose, texts } from './groupWorld';

describe('per-user rate limit', async () => {
  // Small limits, so a flood is short; the defaults (200/s, burst 3000) are far above any person.
  // The budget is the user's (test/guard/budgets.int.test.ts spreads a flood over docs and sockets);
  // here one doc floods, and only the connection whose message went over is closed.
  const server = await startServer({ env: { JECO_SYNC_UPDATES_PER_SEC: '20', JECO_SYNC_BURST: '40' } });

  it('closes a flooding connection as rate_limited, and only that one; nothing of the flood is lost', async () => {
    const w = await groupWorld(server);
    const flood = nextClose(w.mallory.bucket);
    const headClose = nextClose(w.mallory.head);
    // Each transaction is one update message on the wire: 200 of them at once.
    for (let i = 0; i < 200; i++) appendMessage(w.mallory.bucket.doc, newMessage(w.mallory.user.id, `flood ${i}`));
    await expect(flood.closed).resolves.toBe('rate_limited');

    // Honest people on the same doc, and the flooder's other doc, are served as before.
    await w.stillServed();
    renameGroup(w.alice.head.doc, 'Bouldering');
    await waitFor(() => w.mallory.head.doc.getMap('meta').get('name') === 'Bouldering', { what: "Mallory's head to stay live" });
    expect(headClose.reason()).toBeUndefined();

    // The client re-attaches after a retryable refusal; frames of the flood still in flight
    // reach the next connection first and may be refused again, so it may take a few rounds.
    const reasons = retryLikeTheClient(w.mallory.bucket);
    w.mallory.bucket.provider.detach();
    w.mallory.bucket.provider.attach();
    await waitFor(() => texts(w.bob.bucket.doc).filter((t) => t.startsWith('flood ')).length === 200, { what: 'the whole flood after re-syncing', timeoutMs: 15_000 });
    expect(reasons.every((reason) => SYNC_REFUSALS[parseSyncRefusal(reason)!]?.retry)).toBe(true);
  });
});

describe('malformed and oversized frames', async () => {
  const server = await startServer();

  it('closes a bare socket that sends garbage, and keeps serving everyone else', async () => {
    const w = await groupWorld(server);
    const code = await sendAndAwaitClose(server.wsUrl, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    expect(code).toBeGreaterThanOrEqual(4000);
    await w.stillServed();
  });

  it('closes a socket whose frame is over the frame limit (1009), and keeps serving everyone else', async () => {
    const w = await groupWorld(server);
    expect(await sendAndAwaitClose(server.wsUrl, new Uint8Array(3 * 1024 * 1024))).toBe(1009);
    await w.stillServed();
  });

  it("closes only the doc whose authenticated connection sends an undecodable update; the sender's other docs stay live", async () => {
    const w = await groupWorld(server);
    const bucket = `room/${w.room}/0`;
    const before = stateOf(w.serverDoc(bucket));
    const bucketClose = nextClose(w.mallory.bucket);
    const headClose = nextClose(w.mallory.head);
    w.mallory.client.socket.send(updateFrame(w.mallory.bucket.provider.effectiveName, new Uint8Array([0, 0xff, 0xff, 0xff, 0x7f, 9])));
    await expect(bucketClose.closed).resolves.toBe('rejected_update:malformed');
    expect(stateOf(w.serverDoc(bucket)).equals(before)).toBe(true);
    await w.stillServed();
    renameGroup(w.alice.head.doc, 'Bouldering');
    await waitFor(() => w.mallory.head.doc.getMap('meta').get('name') === 'Bouldering', { what: "Mallory's head to stay live" });
    expect(headClose.reason()).toBeUndefined();
  });
});
