import { describe, expect, it } from 'vitest';
import { appendMessage, messageCount } from '#schema/docs/bucket';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { comparePositions, encodeReceiptAdvance, readReceiptAggregate, type Position } from '#schema/docs/receipts';
import { initGroup } from '#schema/docs/roomHead';
import { newGroupId } from '#schema/ids';
import { api, registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';
import { newMessage } from '../guard/groupWorld';

const covers = (p: Position | null | undefined, to: Position) => !!p && comparePositions(p, to) >= 0;

// Receipts reported to two nodes fold into one aggregate from the shared database.
describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('receipts on two server nodes', () => {
  const databaseUrl = useTestDatabase();

  it('members split across two nodes all count: the aggregate reaches everyone, and Message info on either node lists them all', async () => {
    const nodes = [await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL }), await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL })];
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => registerUser(nodes[0]!.url, `Member${i}`)));
    const room = newGroupId();
    const creator = connectClient(nodes[0]!.wsUrl, users[0]!.token);
    const created = creator.open(roomHeadDoc(room));
    await created.synced;
    initGroup(created.doc, { name: 'Split', owner: users[0]!.id, members: users.slice(1).map((u) => u.id), now: Date.now() });
    await creator.settled();
    await Promise.all(nodes.map((n) => n.projections.idle()));
    const members = await Promise.all(
      users.map(async (user, i) => {
        const client = connectClient(nodes[i % 2]!.wsUrl, user.token);
        const head = client.open(roomHeadDoc(room));
        const bucket = client.open(bucketDoc(room, 0));
        await Promise.all([head.synced, bucket.synced]);
        return { user, head, bucket };
      }),
    );

    // Several messages, each read by everyone at once: both nodes fold the same room at the same time.
    for (let round = 0; round < 3; round++) {
      const sender = members[round]!;
      appendMessage(sender.bucket.doc, newMessage(sender.user.id, `message ${round}`));
      const to: Position = { bucket: 0, index: messageCount(sender.bucket.doc) - 1 };
      for (const m of members) await waitFor(() => messageCount(m.bucket.doc) > to.index, { what: 'everyone has the message' });
      for (const m of members) m.head.provider.sendStateless(encodeReceiptAdvance('read', to));
      for (const m of members) await waitFor(() => covers(readReceiptAggregate(m.head.doc)?.read, to), { what: `member on node ${members.indexOf(m) % 2} sees message ${round} read` });
      // The aggregate never reads back behind what everyone reached, on either node.
      await new Promise((r) => setTimeout(r, 400));
      for (const m of members) expect(covers(readReceiptAggregate(m.head.doc)?.read, to)).toBe(true);
    }

    const others = new Set(users.slice(1).map((u) => u.id));
    for (const node of nodes) {
      const info = await api(node.url, 'GET', `/api/rooms/${room}/receipts?bucket=0&index=1`, { token: users[0]!.token });
      expect(info.status).toBe(200);
      const readers = new Set((info.body.receipts as { userId: string; readAt: number | null }[]).filter((r) => r.readAt !== null).map((r) => r.userId));
      for (const id of others) expect(readers.has(id)).toBe(true);
    }
    await Promise.all(nodes.map((n) => n.close()));
  });
});
