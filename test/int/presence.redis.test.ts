import { describe, expect, it } from 'vitest';
import { roomHeadDoc } from '#schema/docs/names';
import { api } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startDm } from '../helpers/dm';
import { useTestDatabase } from '../helpers/pgDatabase';
import { watchPresence } from '../helpers/presence';
import { startServer } from '../helpers/server';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';

/** Short heartbeats, so that a silent node is given up within a test (three heartbeats). */
const HEARTBEAT_MS = 200;

describe.skipIf(!((await hasPostgres()) && (await hasRedis())))('presence across two server nodes', () => {
  const databaseUrl = useTestDatabase();
  const node = () => startServer({ databaseUrl, redisUrl: TEST_REDIS_URL, env: { JECO_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS) } });

  /** Two nodes, Alice's DM head on node one and Bob's on node two, each seeing the other online. */
  async function dmAcrossNodes() {
    const one = await node();
    const two = await node();
    const { alice, bob, room } = await startDm(one, two);
    const a = watchPresence(connectClient(one.wsUrl, alice.token).open(roomHeadDoc(room)));
    // Bob's head is loaded on node two only now, after Alice is on node one: it asks.
    const bobDevice = connectClient(two.wsUrl, bob.token);
    const b = watchPresence(bobDevice.open(roomHeadDoc(room)));
    await waitFor(() => a.online().includes(bob.id) && b.online().includes(alice.id), { what: 'each online for the other across nodes' });
    return { one, two, alice, bob, room, a, b, bobDevice };
  }

  it('counts the connections of every node: online and offline across nodes, a head loaded later learns who is there, privacy and blocks from either node', async () => {
    const { one, two, alice, bob, room, a, b, bobDevice } = await dmAcrossNodes();

    // A second device of Alice's on node two: closing her node-one device keeps her online.
    const aliceOnTwo = connectClient(two.wsUrl, alice.token);
    await aliceOnTwo.open(roomHeadDoc(room)).synced;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const aliceHere = connectClient(one.wsUrl, alice.token);
    const a1 = watchPresence(aliceHere.open(roomHeadDoc(room)));
    await waitFor(() => a1.online().includes(bob.id), { what: 'a second head connection on node one told Bob is there' });
    aliceHere.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.online()).toContain(alice.id);

    // Privacy changed through node one reaches node two's view of Alice... and of Bob (reciprocity).
    await api(one.url, 'PATCH', '/api/me/privacy', { token: alice.token, body: { lastSeen: 'nobody' } });
    await waitFor(() => !b.online().includes(alice.id) && !a.online().includes(bob.id), { what: 'Alice hidden on node two, Bob hidden from her on node one', timeoutMs: 3_000 });
    await api(one.url, 'PATCH', '/api/me/privacy', { token: alice.token, body: { lastSeen: 'everyone' } });
    await waitFor(() => b.online().includes(alice.id) && a.online().includes(bob.id), { what: 'both shown again' });

    // A block made through node two hides both ways on both nodes.
    await api(two.url, 'PUT', `/api/blocks/${alice.id}`, { token: bob.token });
    await waitFor(() => !b.online().includes(alice.id) && !a.online().includes(bob.id), { what: 'the block to hide both', timeoutMs: 3_000 });
    await api(two.url, 'DELETE', `/api/blocks/${alice.id}`, { token: bob.token });
    await waitFor(() => b.online().includes(alice.id) && a.online().includes(bob.id), { what: 'both shown after the unblock' });

    // Bob's last connection (on node two) closes: offline for Alice on node one.
    bobDevice.close();
    await waitFor(() => !a.online().includes(bob.id), { what: 'Bob offline on node one', timeoutMs: 3_000 });
    await Promise.all([one.close(), two.close()]);
  });

  it('relays typing between nodes under the name the server knows, and its end, whether said or by the last device closing', async () => {
    const { one, two, alice, bob, a, b, bobDevice } = await dmAcrossNodes();
    b.type(true);
    await waitFor(() => a.typists().includes(bob.id), { what: 'Bob typing, seen on node one' });
    expect(a.typingNames().get(bob.id)).toBe('Bob');
    b.type(false);
    await waitFor(() => a.typists().length === 0, { what: 'Bob stopped, seen on node one' });
    a.type(true);
    await waitFor(() => b.typists().includes(alice.id), { what: 'Alice typing, seen on node two' });
    b.type(true);
    await waitFor(() => a.typists().includes(bob.id), { what: 'Bob typing again' });
    bobDevice.close();
    await waitFor(() => a.typists().length === 0 && !a.online().includes(bob.id), { what: "Bob's typing to end on node one with his device", timeoutMs: 3_000 });
    await Promise.all([one.close(), two.close()]);
  });

  it('drops the users of a node that went silent, and shows them again when it speaks', async () => {
    const one = await node();
    const two = await node();
    const { alice, bob, room } = await startDm(one, two);
    const a = watchPresence(connectClient(one.wsUrl, alice.token).open(roomHeadDoc(room)));
    await connectClient(two.wsUrl, bob.token).open(roomHeadDoc(room)).synced;
    await waitFor(() => a.online().includes(bob.id), { what: 'Bob on node two online for Alice' });

    // Node two can no longer say anything (as if it died), though its sockets stay open.
    two.redis!.events.pub.disconnect();
    await waitFor(() => !a.online().includes(bob.id), { what: 'Bob given up with his silent node', timeoutMs: 10 * HEARTBEAT_MS });
    two.redis!.events.pub.connect().catch(() => {});
    await waitFor(() => a.online().includes(bob.id), { what: 'Bob back once his node speaks again', timeoutMs: 5_000 });
    expect(a.online()).toEqual([alice.id, bob.id].sort());
    await Promise.all([one.close(), two.close()]);
  });
});
