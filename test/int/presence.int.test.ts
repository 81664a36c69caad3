import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodePresence } from '#schema/api/presence';
import { roomHeadDoc } from '#schema/docs/names';
import type { UserId } from '#schema/ids';
import { Awareness } from 'y-protocols/awareness';
import { connectClient } from '../helpers/client';
import { startDm } from '../helpers/dm';
import { watchPresence } from '../helpers/presence';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

describe('presence derived by the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows a peer online on a DM head while any of their connections is open, and offline once the last one closes; a new connection is told at once', async () => {
    const { alice, bob, room } = await startDm(server);
    const a = connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room));
    const seenByAlice = watchPresence(a);
    await waitFor(() => seenByAlice.online().includes(alice.id), { what: 'Alice told who is on the head' });
    expect(seenByAlice.online()).toEqual([alice.id]);

    // Two devices of Bob's, as the app makes them (no awareness at all).
    const phone = connectClient(server.wsUrl, bob.token);
    await phone.open(roomHeadDoc(room), new Y.Doc()).synced;
    await waitFor(() => seenByAlice.online().includes(bob.id), { what: 'Bob online for Alice' });
    expect(seenByAlice.online()).toEqual([alice.id, bob.id].sort());
    const laptop = connectClient(server.wsUrl, bob.token);
    const laptopHead = laptop.open(roomHeadDoc(room));
    const seenByLaptop = watchPresence(laptopHead);
    await waitFor(() => seenByLaptop.online().length === 2, { what: "Bob's new connection told who is there" });
    expect(seenByLaptop.online()).toEqual([alice.id, bob.id].sort());

    const lastSeen = async () => (await server.store.getUserById(bob.id as UserId))?.lastSeenAt ?? 0;
    const seenOnConnect = await waitFor(lastSeen, { what: "Bob's last seen written on connect" });
    const before = seenByAlice.messages();
    phone.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(seenByAlice.online()).toContain(bob.id);
    // Nothing changed for Alice, so nothing was sent to her.
    expect(seenByAlice.messages()).toBe(before);
    laptop.close();
    await waitFor(() => !seenByAlice.online().includes(bob.id), { what: 'Bob offline once his last connection closed', timeoutMs: 3_000 });

    // "Last seen" is written again when his connections close (nothing else renews it now).
    await waitFor(async () => (await lastSeen()) > seenOnConnect, { what: "Bob's last seen written on disconnect" });
  });

  it('says nothing to anyone while nobody comes or goes', async () => {
    const { alice, bob, room } = await startDm(server);
    const a = watchPresence(connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room)));
    await connectClient(server.wsUrl, bob.token).open(roomHeadDoc(room)).synced;
    await waitFor(() => a.online().includes(bob.id), { what: 'Bob online' });
    const told = a.messages();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(a.messages()).toBe(told);
  });

  it("takes no presence from clients: a forged stateless message reaches nobody and changes no one's view", async () => {
    const { alice, bob, room, a: aliceFirst } = await startDm(server);
    const aliceDevice = connectClient(server.wsUrl, alice.token);
    const a = watchPresence(aliceDevice.open(roomHeadDoc(room)));
    const bobHead = connectClient(server.wsUrl, bob.token).open(roomHeadDoc(room));
    const b = watchPresence(bobHead);
    await bobHead.synced;
    await waitFor(() => a.online().includes(bob.id) && b.online().includes(alice.id), { what: 'each online for the other' });
    const told = a.messages();
    const stranger = 'u_nobody' as UserId;
    bobHead.provider.sendStateless(encodePresence([stranger]));
    bobHead.provider.sendStateless(encodePresence([]));
    bobHead.provider.sendStateless('{"presence": 7}');
    bobHead.provider.sendStateless('not json');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.messages()).toBe(told);
    expect(a.online()).toEqual([alice.id, bob.id].sort());
    // Bob's connection is still served: he sees Alice leave.
    aliceFirst.close();
    aliceDevice.close();
    await waitFor(() => !b.online().includes(alice.id), { what: 'Bob to see Alice leave' });
  });

  it('shows typing under the name the server knows, to the others only, and its end at once; nothing a client claims or states in awareness goes further', async () => {
    const { alice, bob, room } = await startDm(server);
    // Alice's device keeps an awareness, to see that nothing of Bob's arrives in it.
    const aliceDoc = new Y.Doc();
    const aliceAwareness = new Awareness(aliceDoc);
    const aliceHead = connectClient(server.wsUrl, alice.token).open(roomHeadDoc(room), aliceDoc, aliceAwareness);
    const a = watchPresence(aliceHead);
    const bobDoc = new Y.Doc();
    const bobAwareness = new Awareness(bobDoc);
    const bobHead = connectClient(server.wsUrl, bob.token).open(roomHeadDoc(room), bobDoc, bobAwareness);
    const b = watchPresence(bobHead);
    const laptopHead = connectClient(server.wsUrl, bob.token).open(roomHeadDoc(room));
    const bobsLaptop = watchPresence(laptopHead);
    await Promise.all([aliceHead.synced, bobHead.synced]);
    await waitFor(() => a.online().includes(bob.id), { what: 'Bob online' });

    // Forgeries: the server's own typing message, naming Alice, and an old-style awareness state.
    bobHead.provider.sendStateless(JSON.stringify({ typing: { user: alice.id, name: 'Not Bob', on: true } }));
    bobAwareness.setLocalState({ typing: Date.now(), user: { id: alice.id, name: 'Not Bob' } });
    b.type(true);
    await waitFor(() => a.typists().length === 1, { what: 'Bob typing' });
    expect(a.typists()).toEqual([bob.id]);
    expect(a.typingNames().get(bob.id)).toBe('Bob');
    expect(a.typingMessages()).toBe(1);
    expect([...aliceAwareness.getStates().keys()]).toEqual([aliceDoc.clientID]);
    // Bob's own devices are not told he types.
    expect(bobsLaptop.typingMessages()).toBe(0);
    // A device saying it over and over makes no more traffic for the others (one a second at most).
    for (let i = 0; i < 50; i++) b.type(true);
    for (let i = 0; i < 5; i++) b.type(false);
    await waitFor(() => a.typists().length === 0, { what: 'Bob stopped typing' });
    // The first "typing", perhaps one more of the flood (if a second has passed since), and one "stopped".
    expect(a.typingMessages()).toBeLessThanOrEqual(3);
    b.type(true);
    await waitFor(() => a.typists().length === 1, { what: 'Bob typing again at once after a stop' });
    b.type(false);
    await waitFor(() => a.typists().length === 0, { what: 'Bob stopped typing' });
    expect(bobsLaptop.typingMessages()).toBe(0);
    // Devices gone mid-word: their person stops typing for the others at once, not after a timeout.
    b.type(true);
    await waitFor(() => a.typists().length === 1, { what: 'Bob typing again' });
    bobHead.provider.destroy();
    laptopHead.provider.destroy();
    await waitFor(() => a.typists().length === 0 && !a.online().includes(bob.id), { what: "Bob's typing to end with his devices", timeoutMs: 1_000 });
  });
});
