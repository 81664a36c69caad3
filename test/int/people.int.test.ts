import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import * as Y from 'yjs';
import { watchPresence } from '../helpers/presence';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { addMembers, initGroup, readMembers } from '#schema/docs/roomHead';
import { newGroupId } from '#schema/ids';
import { api, registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message, startDm, texts } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const password = 'correct horse battery';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

async function signIn(url: string, user: TestUser, userAgent: string, pass = password): Promise<string> {
  const res = await api(url, 'POST', '/api/auth/login', { body: { username: user.username, password: pass }, headers: { 'user-agent': userAgent } });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

/** The first reason the server closed `open`'s connection with, once it has. */
function closeReason(open: OpenDoc): () => string | undefined {
  let reason: string | undefined;
  open.provider.on('close', ({ event }: { event: { reason: string } }) => (reason ??= event.reason || undefined));
  return () => reason;
}

describe('account and devices', async () => {
  const server = await startServer();

  it('lists my sessions with their browser, marks this one, and signing one out closes its live sync at once', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const laptop = await signIn(server.url, alice, CHROME);
    const phone = await signIn(server.url, alice, FIREFOX);
    const listed = await api(server.url, 'GET', '/api/auth/sessions', { token: laptop });
    expect(listed.status).toBe(200);
    const devices = listed.body.devices as { id: string; browser: string; current: boolean; createdAt: number; lastActiveAt: number | null }[];
    expect(devices.map((d) => d.browser)).toEqual([expect.any(String), 'Chrome 120 on Linux', 'Firefox 121 on Windows']);
    expect(devices.map((d) => d.current)).toEqual([false, true, false]);
    expect(JSON.stringify(listed.body)).not.toContain(phone);

    const inbox = connectClient(server.wsUrl, phone).open(inboxDoc(alice.id));
    await inbox.synced;
    const closed = closeReason(inbox);
    expect((await api(server.url, 'DELETE', `/api/auth/sessions/${devices[2]!.id}`, { token: laptop })).status).toBe(204);
    await waitFor(() => closed() === 'unauthorized', { what: "the phone's live connection to close", timeoutMs: 2_000 });
    expect((await api(server.url, 'GET', '/api/auth/me', { token: phone })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: laptop })).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/auth/sessions', { token: laptop })).body.devices).toHaveLength(2);

    // Someone else's session, an unknown id and a malformed one change nothing.
    const bob = await registerUser(server.url, 'Bob');
    const bobs = (await api(server.url, 'GET', '/api/auth/sessions', { token: bob.token })).body.devices;
    expect((await api(server.url, 'DELETE', `/api/auth/sessions/${bobs[0].id}`, { token: laptop })).status).toBe(404);
    expect((await api(server.url, 'DELETE', '/api/auth/sessions/nope', { token: laptop })).status).toBe(400);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: bob.token })).status).toBe(200);
  });

  it('signs out every other session, closing their sockets, and keeps this one', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const others = [alice.token, await signIn(server.url, alice, FIREFOX)];
    const here = await signIn(server.url, alice, CHROME);
    const opens = await Promise.all(
      others.map(async (token) => {
        const open = connectClient(server.wsUrl, token).open(inboxDoc(alice.id));
        await open.synced;
        return closeReason(open);
      }),
    );
    const res = await api(server.url, 'DELETE', '/api/auth/sessions', { token: here });
    expect(res.body).toEqual({ revoked: 2 });
    await waitFor(() => opens.every((closed) => closed() === 'unauthorized'), { what: 'both other connections to close', timeoutMs: 2_000 });
    for (const token of others) expect((await api(server.url, 'GET', '/api/auth/me', { token })).status).toBe(401);
    const left = (await api(server.url, 'GET', '/api/auth/sessions', { token: here })).body.devices;
    expect(left).toEqual([expect.objectContaining({ current: true, browser: 'Chrome 120 on Linux' })]);
  });

  it('changes the password only with the current one, and signs out every other session', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const here = await signIn(server.url, alice, CHROME);
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
    await inbox.synced;
    const closed = closeReason(inbox);

    const wrong = await api(server.url, 'POST', '/api/auth/password', { token: here, body: { currentPassword: 'not it at all', newPassword: 'a brand new secret' } });
    expect(wrong.status).toBe(401);
    const weak = await api(server.url, 'POST', '/api/auth/password', { token: here, body: { currentPassword: password, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    // Neither attempt changed anything.
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(200);
    await signIn(server.url, alice, CHROME);

    const ok = await api(server.url, 'POST', '/api/auth/password', { token: here, body: { currentPassword: password, newPassword: 'a brand new secret' } });
    expect(ok.status).toBe(200);
    await waitFor(() => closed() === 'unauthorized', { what: 'the other session to close', timeoutMs: 2_000 });
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: here })).status).toBe(200);
    expect((await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password } })).status).toBe(401);
    await signIn(server.url, alice, CHROME, 'a brand new secret');
  });
});

describe('profile', async () => {
  const server = await startServer();

  it('changes my name and about line, which others then read; bad input changes nothing', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const changed = await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { displayName: 'Alice Liddell', about: '  Down the rabbit hole ' } });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toMatchObject({ displayName: 'Alice Liddell', about: 'Down the rabbit hole' });
    expect((await api(server.url, 'GET', `/api/users/${alice.id}`, { token: bob.token })).body.user).toMatchObject({ displayName: 'Alice Liddell', about: 'Down the rabbit hole' });

    for (const body of [{ about: 'x'.repeat(141) }, { displayName: '   ' }, {}, { displayName: 'A', email: 'x@y.z' }]) {
      expect((await api(server.url, 'PATCH', '/api/me', { token: alice.token, body })).status).toBe(400);
    }
    expect((await api(server.url, 'PATCH', '/api/me', { body: { about: 'hi' } })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).body.user).toMatchObject({ displayName: 'Alice Liddell', about: 'Down the rabbit hole' });

    // An empty about line clears it.
    expect((await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { about: '' } })).body.user.about).toBeNull();
  });
});

describe('blocking', async () => {
  const server = await startServer();

  it('holds back every write into the DM, from either side, while one blocks the other; both keep reading it; unblocking lets writes in again', async () => {
    const { alice, bob, room, aBucket, bBucket } = await startDm(server);
    appendMessage(bBucket.doc, message(bob.id, 'before'));
    await waitFor(() => texts(aBucket.doc).includes('before'), { what: 'the first message to arrive' });
    const aliceClosed = closeReason(aBucket);
    const bobClosed = closeReason(bBucket);

    expect((await api(server.url, 'PUT', `/api/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    // Bob writes again and again, on his open connection and over fresh ones: none is acknowledged, none reaches Alice.
    const settleMs = 400;
    for (const text of ['blocked 1', 'blocked 2']) {
      appendMessage(bBucket.doc, message(bob.id, text));
      const open = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
      await open.synced;
      appendMessage(open.doc, message(bob.id, `${text} again`));
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      expect(open.provider.hasUnsyncedChanges).toBe(true);
      expect(bBucket.provider.hasUnsyncedChanges).toBe(true);
      open.provider.destroy();
    }
    // Alice, who blocked him, cannot write there either until she unblocks.
    appendMessage(aBucket.doc, message(alice.id, 'from the blocker'));
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    expect(aBucket.provider.hasUnsyncedChanges).toBe(true);
    const fresh = connectClient(server.wsUrl, alice.token).open(bucketDoc(room, 0));
    await fresh.synced;
    expect(texts(fresh.doc)).toEqual(['before']);
    // Nobody was cut off: both connections stayed open.
    expect([aliceClosed(), bobClosed()]).toEqual([undefined, undefined]);

    expect((await api(server.url, 'GET', '/api/blocks', { token: alice.token })).body.blocked).toEqual([{ user: expect.objectContaining({ id: bob.id }), at: expect.any(Number) }]);
    expect((await api(server.url, 'DELETE', `/api/blocks/${bob.id}`, { token: alice.token })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/blocks', { token: alice.token })).body.blocked).toEqual([]);
    const again = connectClient(server.wsUrl, bob.token).open(bucketDoc(room, 0));
    await again.synced;
    appendMessage(again.doc, message(bob.id, 'after'));
    await waitFor(() => texts(fresh.doc).includes('after'), { what: 'a message after unblocking to arrive' });
    expect(texts(fresh.doc)).toEqual(['before', 'after']);
  });

  it('hides my last seen and about line from someone I blocked, and keeps me out of their search', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { about: 'Busy' } });
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
    await inbox.synced;
    const seenByBob = async () => (await api(server.url, 'GET', `/api/users/${alice.id}`, { token: bob.token })).body.user;
    await waitFor(async () => (await seenByBob()).lastSeenAt !== null, { what: "Alice's last seen" });
    expect(await seenByBob()).toMatchObject({ about: 'Busy' });
    const search = async () => (await api(server.url, 'GET', `/api/users?q=${alice.username}`, { token: bob.token })).body.users.map((u: { id: string }) => u.id);
    expect(await search()).toEqual([alice.id]);

    await api(server.url, 'PUT', `/api/blocks/${bob.id}`, { token: alice.token });
    expect(await seenByBob()).toMatchObject({ id: alice.id, lastSeenAt: null, about: null });
    expect(await search()).toEqual([]);
    // Blocking hides nothing of Bob's from Alice.
    await api(server.url, 'PATCH', '/api/me', { token: bob.token, body: { about: 'Hello' } });
    expect((await api(server.url, 'GET', `/api/users/${bob.id}`, { token: alice.token })).body.user).toMatchObject({ about: 'Hello' });

    await api(server.url, 'DELETE', `/api/blocks/${bob.id}`, { token: alice.token });
    expect(await seenByBob()).toMatchObject({ about: 'Busy', lastSeenAt: expect.any(Number) });
  });

  it('stops online and typing travelling in the DM, both ways, while one blocks the other', async () => {
    const { alice, bob, room } = await startDm(server);
    const join = (token: string) => {
      const open = connectClient(server.wsUrl, token).open(roomHeadDoc(room), new Y.Doc());
      return { open, ...watchPresence(open) };
    };
    const a = join(alice.token);
    const b = join(bob.token);
    await waitFor(() => a.online().includes(bob.id) && b.online().includes(alice.id), { what: 'each to see the other online' });
    b.type(true);
    await waitFor(() => a.typists().includes(bob.id), { what: 'Bob typing for Alice' });

    await api(server.url, 'PUT', `/api/blocks/${bob.id}`, { token: alice.token });
    // What each was shown goes at once, his typing too.
    await waitFor(() => !a.online().includes(bob.id) && !b.online().includes(alice.id) && !a.typists().includes(bob.id), { what: 'each to stop seeing the other', timeoutMs: 2_000 });
    // Fresh connections after the block: neither learns the other is there, however long they wait and type.
    const a2 = join(alice.token);
    const b2 = join(bob.token);
    await Promise.all([a2.open.synced, b2.open.synced]);
    await waitFor(() => a2.messages() > 0 && b2.messages() > 0, { what: 'the fresh connections told who is online' });
    for (let i = 0; i < 3; i++) {
      for (const side of [a, b, a2, b2]) side.type(true);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    for (const side of [a, a2]) {
      expect(side.online()).not.toContain(bob.id);
      expect(side.typists()).not.toContain(bob.id);
    }
    for (const side of [b, b2]) {
      expect(side.online()).not.toContain(alice.id);
      expect(side.typists()).not.toContain(alice.id);
    }

    await api(server.url, 'DELETE', `/api/blocks/${bob.id}`, { token: alice.token });
    await waitFor(() => a2.online().includes(bob.id) && b2.online().includes(alice.id), { what: 'each online for the other again after unblocking' });
    // Bob keeps typing, as the app says so again every 2 s (the server takes one signal a second).
    await waitFor(
      () => {
        b2.type(true);
        return a2.typists().includes(bob.id);
      },
      { what: 'Bob typing for Alice again after unblocking' },
    );
  });

  it('refuses adding someone to a group, at its creation or later, when they blocked the one adding', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const mallory = await registerUser(server.url, 'Mallory');
    await api(server.url, 'PUT', `/api/blocks/${mallory.id}`, { token: alice.token });
    const mal = connectClient(server.wsUrl, mallory.token);

    // A new group with Alice in it.
    const first = mal.open(roomHeadDoc(newGroupId()));
    await first.synced;
    const firstClosed = closeReason(first);
    initGroup(first.doc, { name: 'Trap', owner: mallory.id, members: [alice.id, bob.id], now: Date.now() });
    await waitFor(() => firstClosed() === 'rejected_update:blocked', { what: 'the new group to be refused' });

    // A group without her is fine; adding her later is refused, adding Bob is not.
    const room = newGroupId();
    const mal2 = connectClient(server.wsUrl, mallory.token);
    const head = mal2.open(roomHeadDoc(room));
    await head.synced;
    const headClosed = closeReason(head);
    initGroup(head.doc, { name: 'Fine', owner: mallory.id, members: [], now: Date.now() });
    await mal2.settled();
    addMembers(head.doc, [bob.id], mallory.id, Date.now());
    await mal2.settled();
    addMembers(head.doc, [alice.id], mallory.id, Date.now());
    await waitFor(() => headClosed() === 'rejected_update:blocked', { what: 'adding Alice to be refused' });
    const bobsView = connectClient(server.wsUrl, bob.token).open(roomHeadDoc(room));
    await bobsView.synced;
    expect([...readMembers(bobsView.doc).keys()].sort()).toEqual([bob.id, mallory.id].sort());
    expect(await server.store.getMemberRole(room, alice.id)).toBeNull();
  });

  it('refuses blocking oneself or nobody', async () => {
    const alice = await registerUser(server.url, 'Alice');
    expect((await api(server.url, 'PUT', `/api/blocks/${alice.id}`, { token: alice.token })).status).toBe(400);
    expect((await api(server.url, 'PUT', '/api/blocks/u_nobody', { token: alice.token })).status).toBe(404);
    expect((await api(server.url, 'PUT', `/api/blocks/${alice.id}`)).status).toBe(401);
  });
});
