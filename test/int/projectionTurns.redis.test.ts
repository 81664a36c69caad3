import { describe, expect, it } from 'vitest';
import { createRedisClient } from '../../sync-server/src/redis';
import { PROJECTED_CHANNEL } from '../../sync-server/src/sync/projectionNotices';
import { appendMessage } from '#schema/docs/bucket';
import { readChatEntry } from '#schema/docs/inbox';
import { inboxDoc } from '#schema/docs/names';
import { message, startDm } from '../helpers/dm';
import { useTestDatabase } from '../helpers/pgDatabase';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';

const QUIET_MS = 50;
const BUSY_MS = 1500;

describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('chat-index projections on two nodes', () => {
  const databaseUrl = useTestDatabase();

  it('take turns: a room one node has just projected waits its busy window on the other', async () => {
    const env = { JECO_PROJECTION_DELAY_MS: String(QUIET_MS), JECO_PROJECTION_BUSY_DELAY_MS: String(BUSY_MS) };
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL, env });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL, env });
    const { alice, bob, room, a, aBucket, bBucket } = await startDm(one, two);
    const inbox = a.open(inboxDoc(alice.id));
    await inbox.synced;
    const preview = () => readChatEntry(inbox.doc, room)?.lastMessage?.preview;

    // Alice's message, through node one: projected there within the short window.
    appendMessage(aBucket.doc, message(alice.id, 'from node one'));
    await waitFor(() => preview() === 'from node one', { timeoutMs: BUSY_MS - 500, what: 'Alice’s message in her chat list' });

    // Bob's reply right after, through node two, which has never projected the room: it
    // heard that node one just did, so the reply waits the busy window there too.
    appendMessage(bBucket.doc, message(bob.id, 'from node two'));
    await new Promise((resolve) => setTimeout(resolve, BUSY_MS - 500));
    expect(preview()).toBe('from node one');
    await waitFor(() => preview() === 'from node two', { timeoutMs: BUSY_MS + 3000, what: 'Bob’s reply in Alice’s chat list after the window' });
    expect(readChatEntry(inbox.doc, room)?.count).toBe(2);
    await Promise.all([one.close(), two.close()]);
  }, 30_000);

  it('shrugs off a malformed notice on the channel, and still projects', async () => {
    const one = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const two = await startServer({ databaseUrl, redisUrl: TEST_REDIS_URL });
    const { alice, room, a, aBucket } = await startDm(one, two);
    const inbox = a.open(inboxDoc(alice.id));
    await inbox.synced;
    const redis = createRedisClient(TEST_REDIS_URL);
    for (const junk of ['not json', '{"node":"x","roomId":"","members":-1}', JSON.stringify({ node: 'x', roomId: room, members: 'many' })]) await redis.publish(PROJECTED_CHANNEL, junk);
    redis.disconnect();
    appendMessage(aBucket.doc, message(alice.id, 'still here'));
    await waitFor(() => readChatEntry(inbox.doc, room)?.lastMessage?.preview === 'still here', { what: 'the message in Alice’s chat list' });
    await Promise.all([one.close(), two.close()]);
  }, 30_000);
});
