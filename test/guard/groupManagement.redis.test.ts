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
import { newMessage, nextClose, systemLines, texts } from './groupWorld';

describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('group changes across two server nodes', () => {
  const databaseUrl = useTestDatabase();

  it('cuts off a member removed on one node from the other node too, with one system line', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((name) => registerUser(one.url, name)));
    const room = newGroupId();
    const a = connectClient(one.wsUrl, alice!.token);
    const aHead = a.open(roomHeadDoc(room));
    await aHead.synced;
    initGroup(aHead.doc, { name: 'Climbing', owner: alice!.id, members: [bob!.id, carol!.id], now: Date.now() });
    await a.settled();
    await one.projections.idle();
    const aBucket = a.open(bucketDoc(room, 0));
    // Bob and Carol are on the other node.
    const b = connectClient(two.wsUrl, bob!.token);
    const c = connectClient(two.wsUrl, carol!.token);
    const [bHead, bBucket, cBucket] = [b.open(roomHeadDoc(room)), b.open(bucketDoc(room, 0)), c.open(bucketDoc(room, 0))];
    await Promise.all([aBucket.synced, bHead.synced, bBucket.synced, cBucket.synced]);

    const closed = [nextClose(bHead).closed, nextClose(bBucket).closed];
    removeMember(aHead.doc, bob!.id);
    await expect(Promise.all(closed)).resolves.toEqual(['removed', 'removed']);
    await waitFor(() => systemLines(cBucket.doc).includes(`removed ${alice!.id} ${bob!.id}`), { what: 'Carol on node two to read the line' });

    const after = newMessage(alice!.id, 'Bob is out');
    appendMessage(aBucket.doc, after);
    await waitFor(() => texts(cBucket.doc).includes(after.text), { what: 'Carol to receive the message' });
    expect(texts(bBucket.doc)).not.toContain(after.text);
    await Promise.all([one.projections.idle(), two.projections.idle()]);
    expect(systemLines(cBucket.doc)).toEqual([`created ${alice!.id} Climbing`, `removed ${alice!.id} ${bob!.id}`]);
    await Promise.all([one.close(), two.close()]);
  });
});
