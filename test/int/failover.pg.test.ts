import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { connectClient } from '../helpers/client';
import { message, startDm, texts } from '../helpers/dm';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';

/**
 * Two nodes on one Postgres with no Redis between them: the harshest case of a node
 * whose copy of a doc is behind the log (a relay lost, a failover after kill -9). The
 * store is the truth (design §5b): before refusing a client's update on the doc's
 * state, the node catches the doc up from the log rows it has not applied.
 */
describe.skipIf(!(await hasPostgres()))('failing over to a node whose copy is behind', () => {
  const databaseUrl = useTestDatabase();

  it('accepts a client that carries what another node logged, and serves both messages', async () => {
    const nodeA = await startServer({ databaseUrl });
    const nodeB = await startServer({ databaseUrl });
    // Alice on A, Bob on B, both holding bucket 0 (so B has it loaded).
    const dm = await startDm(nodeA, nodeB);
    const bucket = bucketDoc(dm.room, 0);

    for (let round = 1; round <= 3; round++) {
      // Alice writes on A; without a relay, B's loaded copy never hears of it.
      const fromAlice = message(dm.alice.id, `from Alice ${round}`);
      appendMessage(dm.aBucket.doc, fromAlice);
      await dm.a.settled();

      // Bob's phone reads it on A, goes offline, answers, and comes back through B.
      const phoneOnA = connectClient(nodeA.wsUrl, dm.bob.token);
      const copy = phoneOnA.open(bucket);
      await copy.synced;
      expect(texts(copy.doc)).toContain(fromAlice.text);
      copy.provider.destroy();
      phoneOnA.close();
      const reply = message(dm.bob.id, `Bob answers ${round}`);
      appendMessage(copy.doc, reply);
      const phoneOnB = connectClient(nodeB.wsUrl, dm.bob.token);
      const again = phoneOnB.open(bucket, copy.doc);
      const refused = again.refused.then((reason) => `refused: ${reason}`);
      await Promise.race([again.synced, refused.then((r) => Promise.reject(new Error(r)))]);
      await phoneOnB.settled();

      // Node B caught up: its other client (Bob's laptop) and a fresh reader have both, in order.
      await waitFor(() => texts(dm.bBucket.doc).includes(reply.text) && texts(dm.bBucket.doc).includes(fromAlice.text), { what: 'B serves both' });
      const reader = connectClient(nodeB.wsUrl, dm.alice.token).open(bucket);
      await reader.synced;
      const shown = texts(reader.doc);
      expect(shown.indexOf(fromAlice.text)).toBeGreaterThanOrEqual(0);
      expect(shown.indexOf(reply.text)).toBeGreaterThan(shown.indexOf(fromAlice.text));
      phoneOnB.close();
    }
  }, 60_000);
});
