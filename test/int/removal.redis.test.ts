import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { initGroup, removeMember } from '#schema/docs/roomHead';
import { newGroupId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';
import { newMessage, nextClose, texts } from '../guard/groupWorld';

/** Members removed one after the other, each connected to a node that holds only the room's bucket. */
const REMOVALS = 3;

describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('removal across nodes', () => {
  const databaseUrl = useTestDatabase();

  it('cuts a removed member off on a node that holds only the bucket, not the room head', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const [alice, bob, ...removed] = await Promise.all(['Alice', 'Bob', ...Array.from({ length: REMOVALS }, (_, i) => `Gone${i}`)].map((name) => registerUser(one.url, name)));
    const room = newGroupId();
    const a = connectClient(one.wsUrl, alice!.token);
    const aHead = a.open(roomHeadDoc(room));
    await aHead.synced;
    initGroup(aHead.doc, { name: 'Climbing', owner: alice!.id, members: [bob!.id, ...removed.map((u) => u.id)], now: Date.now() });
    await a.settled();
    await one.projections.idle();
    const aBucket = a.open(bucketDoc(room, 0));
    // On node two everybody opens only the bucket: node two never loads the head.
    const bBucket = connectClient(two.wsUrl, bob!.token).open(bucketDoc(room, 0));
    const goneBuckets = removed.map((user) => connectClient(two.wsUrl, user.token).open(bucketDoc(room, 0)));
    await Promise.all([aBucket.synced, bBucket.synced, ...goneBuckets.map((b) => b.synced)]);
    expect(two.hocuspocus.documents.has(roomHeadDoc(room))).toBe(false);

    for (const [i, user] of removed.entries()) {
      const closed = nextClose(goneBuckets[i]!).closed;
      removeMember(aHead.doc, user.id);
      await expect(closed).resolves.toBe('removed');
      const after = newMessage(alice!.id, `after removing ${user.username}`);
      appendMessage(aBucket.doc, after);
      await waitFor(() => texts(bBucket.doc).includes(after.text), { what: 'Bob, still a member on node two, to receive it' });
      for (const gone of goneBuckets.slice(0, i + 1)) expect(texts(gone.doc)).not.toContain(after.text);
    }
    expect(two.hocuspocus.documents.has(roomHeadDoc(room))).toBe(false);
    await Promise.all([one.close(), two.close()]);
  });
});
