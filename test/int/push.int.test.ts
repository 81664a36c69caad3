// Long on purpose: Web Push end to end, every case sharing one fake push service and the helpers that decrypt what reaches it.
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { afterAll, describe, expect, it } from 'vitest';
import type { PushPayload } from '#schema/api/push';
import { appendMessage, setReaction } from '#schema/docs/bucket';
import { chatNotifyLevel, MUTED_FOREVER, markChatRead, setChatState, setNotifyLevel } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { addMembers, initGroup, removeMember, setRole } from '#schema/docs/roomHead';
import { newGroupId, type RoomId, type UserId } from '#schema/ids';
import { nextClose } from '../guard/groupWorld';
import { api, registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc, type TestClient } from '../helpers/client';
import { message, openDm } from '../helpers/dm';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/** One request the test's push service received. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A push service on 127.0.0.1: records every request and answers with the status the
 * test set for its path (201 by default), or the next of a list.
 */
async function startPushService() {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
      const queue = answers.get(path);
      response.writeHead(queue && queue.length > 1 ? queue.shift()! : (queue?.[0] ?? 201)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    /** What arrived at `path` so far. */
    at: (path: string) => received.filter((r) => r.path === path),
    answer: (path: string, ...statuses: number[]) => answers.set(path, statuses),
    endpoint: (path: string) => `${base}${path}`,
  };
}

/** A browser's side of a subscription: real P-256 keys and an auth secret (RFC 8291). */
function browserKeys(): { ecdh: ECDH; p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** Decrypts a received push with the browser's keys, as the browser does. */
function decrypt(request: Received, keys: { ecdh: ECDH; auth: string }): PushPayload {
  expect(request.headers['content-encoding']).toBe('aes128gcm');
  const plain = ece.decrypt(request.body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth });
  return JSON.parse(plain.toString('utf8')) as PushPayload;
}

type PushService = Awaited<ReturnType<typeof startPushService>>;

async function subscribe(server: TestServer, token: string, push: PushService, path: string) {
  const keys = browserKeys();
  const res = await api(server.url, 'POST', '/api/push/subscription', { token, body: { endpoint: push.endpoint(path), expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } } });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
  return keys;
}

/** Alice and Bob's DM, where only Bob has the chat open (Alice's app is closed). */
async function dmWithBob(server: TestServer, alice: TestUser, bob: TestUser): Promise<{ room: RoomId; bobs: TestClient; bucket: OpenDoc }> {
  const bobs = connectClient(server.wsUrl, bob.token);
  const { room, bucket } = await openDm(bobs, bob.id, alice.id);
  return { room, bobs, bucket };
}

async function send(client: TestClient, bucket: OpenDoc, authorId: UserId, text: string, extra: { mentions?: UserId[] } = {}): Promise<void> {
  appendMessage(bucket.doc, { ...message(authorId, text), ...extra });
  await client.settled();
}

/** Nobody of `userId` has `docName` open on the server any more. */
async function closedOnServer(server: TestServer, docName: string, userId: UserId): Promise<void> {
  await waitFor(() => ![...(server.hocuspocus.documents.get(docName)?.getConnections() ?? [])].some((c) => (c.context as { user?: { id: string } }).user?.id === userId), {
    what: `${docName} closed on the server`,
  });
}

/** `owner` creates a group of `members` and waits until it is stored (a group's buckets open only then). */
async function createGroup(server: TestServer, owner: TestUser, name: string, members: UserId[]): Promise<{ room: RoomId; client: TestClient; head: OpenDoc }> {
  const room = newGroupId();
  const client = connectClient(server.wsUrl, owner.token);
  const head = client.open(roomHeadDoc(room));
  await head.synced;
  initGroup(head.doc, { name, owner: owner.id, members, now: Date.now() });
  await client.settled();
  await server.projections.idle();
  return { room, client, head };
}

describe('Web Push', async () => {
  const push = await startPushService();
  // The test's push service is on 127.0.0.1: only this flag lets a subscription name it.
  const server = await startServer({ env: { JECO_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true', JECO_PUSH_INTERVAL_MS: '0' } });

  it("a message from Bob reaches Alice's push endpoint, encrypted for her browser and signed with the server's key; Bob gets none", async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const aliceKeys = await subscribe(server, alice.token, push, '/alice-1');
    await subscribe(server, bob.token, push, '/bob-1');
    const { room, bobs, bucket } = await dmWithBob(server, alice, bob);

    await send(bobs, bucket, bob.id, 'Lunch at one?');
    const [request] = await waitFor(() => (push.at('/alice-1').length === 1 ? push.at('/alice-1') : null), { what: "Alice's push" });
    expect(decrypt(request!, aliceKeys)).toEqual({ roomId: room, title: 'Bob', body: 'Lunch at one?', tag: room });
    // RFC 8292: the push service can tell it is this server (the key browsers subscribed with).
    const { publicKey } = (await api(server.url, 'GET', '/api/push/key')).body as { publicKey: string };
    expect(request!.headers.authorization).toMatch(new RegExp(`^vapid t=[\\w.-]+, k=${publicKey}$`));
    expect(Number(request!.headers.ttl)).toBeGreaterThan(0);
    // The plain text never travels: only Alice's keys open it.
    expect(request!.body.includes(Buffer.from('Lunch'))).toBe(false);
    expect(push.at('/bob-1')).toHaveLength(0);
  });

  it('with "show message preview" off the push says who, not what', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-2');
    const patched = await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { pushPreview: false } });
    expect(patched.body.user.pushPreview).toBe(false);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).body.user.pushPreview).toBe(false);
    const { room, bobs, bucket } = await dmWithBob(server, alice, bob);

    await send(bobs, bucket, bob.id, 'the door code is 4711');
    const [request] = await waitFor(() => (push.at('/alice-2').length === 1 ? push.at('/alice-2') : null), { what: "Alice's push" });
    const payload = decrypt(request!, keys);
    expect(payload).toEqual({ roomId: room, title: 'Bob', tag: room });
    expect(JSON.stringify(payload)).not.toContain('4711');
  });

  it('someone reading the chat gets no push; once they close it, they do', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-3');
    const { room, bobs, bucket } = await dmWithBob(server, alice, bob);
    const reading = connectClient(server.wsUrl, alice.token);
    await reading.open(bucketDoc(room, 0)).synced;

    await send(bobs, bucket, bob.id, 'seen live');
    await server.projections.idle();
    reading.close();
    await closedOnServer(server, bucketDoc(room, 0), alice.id);
    await send(bobs, bucket, bob.id, 'after she left');
    await waitFor(() => push.at('/alice-3').length >= 1, { what: "Alice's push" });
    // Pushes go out in order: one about the first message would have come first.
    expect(push.at('/alice-3').map((r) => decrypt(r, keys).body)).toEqual(['after she left']);
  });

  it('a muted group stays silent except for a mention', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-4');
    const { room, client: bobs } = await createGroup(server, bob, 'Team', [alice.id]);
    const alices = connectClient(server.wsUrl, alice.token);
    const inbox = alices.open(inboxDoc(alice.id));
    await inbox.synced;
    setChatState(inbox.doc, room, 'mute', MUTED_FOREVER);
    await alices.settled();
    const bucket = bobs.open(bucketDoc(room, 0));
    await bucket.synced;

    await send(bobs, bucket, bob.id, 'standup moved');
    await server.projections.idle();
    await send(bobs, bucket, bob.id, '@Alice can you take it?', { mentions: [alice.id] });
    await waitFor(() => push.at('/alice-4').length >= 2, { what: "Alice's push" });
    // Being added came before she muted it.
    expect(push.at('/alice-4').map((r) => decrypt(r, keys))).toEqual([
      { roomId: room, title: 'Team', body: 'Bob added you', tag: room },
      { roomId: room, title: 'Team', body: 'Bob: @Alice can you take it?', tag: room },
    ]);
  });

  it('per-chat notification level: "mentions only" pushes only a mention (about it alone), "off" pushes nothing, "all" everything', async () => {
    const [alice, carol, dave, bob] = await Promise.all(['Alice', 'Carol', 'Dave', 'Bob'].map((n) => registerUser(server.url, n)));
    const aliceKeys = await subscribe(server, alice!.token, push, '/alice-level');
    await subscribe(server, carol!.token, push, '/carol-level');
    const daveKeys = await subscribe(server, dave!.token, push, '/dave-level');
    const { room, client: bobs } = await createGroup(server, bob!, 'Team', [alice!.id, carol!.id, dave!.id]);
    for (const [person, level] of [
      [alice!, 'mentions'],
      [carol!, 'off'],
    ] as const) {
      const client = connectClient(server.wsUrl, person.token);
      const inbox = client.open(inboxDoc(person.id));
      await inbox.synced;
      setNotifyLevel(inbox.doc, room, level);
      await client.settled();
      expect(chatNotifyLevel(inbox.doc, room)).toBe(level);
      client.close();
    }
    const bucket = bobs.open(bucketDoc(room, 0));
    await bucket.synced;

    await send(bobs, bucket, bob!.id, 'standup moved');
    await server.projections.idle();
    await send(bobs, bucket, bob!.id, '@Alice @Carol can you take it?', { mentions: [alice!.id, carol!.id] });
    await server.projections.idle();
    await waitFor(() => push.at('/alice-level').length >= 2 && push.at('/dave-level').length >= 3, { what: 'the pushes' });
    // Each heard of being added (before setting a level). Then Dave ("all") heard both messages; Alice ("mentions
    // only") only the mention, counted alone; Carol ("off") nothing, mention or not.
    expect(push.at('/dave-level').map((r) => decrypt(r, daveKeys).body)).toEqual(['Bob added you', 'Bob: standup moved', '2 new messages']);
    expect(push.at('/alice-level').map((r) => decrypt(r, aliceKeys))).toEqual([
      { roomId: room, title: 'Team', body: 'Bob added you', tag: room },
      { roomId: room, title: 'Team', body: 'Bob: @Alice @Carol can you take it?', tag: room },
    ]);
    expect(push.at('/carol-level')).toHaveLength(1);
  });

  it('refuses a notification level of any other shape, and keeps the one set', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const room = newGroupId();
    const client = connectClient(server.wsUrl, alice.token);
    const inbox = client.open(inboxDoc(alice.id));
    await inbox.synced;
    setNotifyLevel(inbox.doc, room, 'off');
    await client.settled();
    const close = nextClose(inbox);
    inbox.doc.getMap('state').set(`notify:${room}`, 'loud');
    await expect(close.closed).resolves.toBe('rejected_update:value-shape');
    const fresh = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
    await fresh.synced;
    expect(chatNotifyLevel(fresh.doc, room)).toBe('off');
  });

  it('being added to a group, made admin and removed each reach the person\'s push endpoint; not the one who did it, not a chat set to "off"', async () => {
    const [alice, carol, bob] = await Promise.all(['Alice', 'Carol', 'Bob'].map((n) => registerUser(server.url, n)));
    const aliceKeys = await subscribe(server, alice!.token, push, '/alice-events');
    const carolKeys = await subscribe(server, carol!.token, push, '/carol-events');
    await subscribe(server, bob!.token, push, '/bob-events');
    const { room, client: bobs, head } = await createGroup(server, bob!, 'Climbing', [alice!.id]);
    await waitFor(() => push.at('/alice-events').length === 1, { what: "Alice's push about being added" });
    expect(decrypt(push.at('/alice-events')[0]!, aliceKeys)).toEqual({ roomId: room, title: 'Climbing', body: 'Bob added you', tag: room });

    // Carol, added later, hears of it; then she turns the chat "off" and hears nothing more from it.
    addMembers(head.doc, [carol!.id], bob!.id, Date.now());
    await bobs.settled();
    await waitFor(() => push.at('/carol-events').length === 1, { what: "Carol's push about being added" });
    expect(decrypt(push.at('/carol-events')[0]!, carolKeys).body).toBe('Bob added you');
    const carols = connectClient(server.wsUrl, carol!.token);
    const carolInbox = carols.open(inboxDoc(carol!.id));
    await carolInbox.synced;
    setNotifyLevel(carolInbox.doc, room, 'off');
    await carols.settled();

    setRole(head.doc, alice!.id, 'admin', bob!.id);
    setRole(head.doc, carol!.id, 'admin', bob!.id);
    await bobs.settled();
    await waitFor(() => push.at('/alice-events').length === 2, { what: "Alice's push about being made admin" });
    expect(decrypt(push.at('/alice-events')[1]!, aliceKeys).body).toBe('Bob made you an admin');
    removeMember(head.doc, alice!.id);
    removeMember(head.doc, carol!.id);
    await bobs.settled();
    await waitFor(() => push.at('/alice-events').length === 3, { what: "Alice's push about being removed" });
    expect(decrypt(push.at('/alice-events')[2]!, aliceKeys)).toEqual({ roomId: room, title: 'Climbing', body: 'Bob removed you', tag: room });
    await server.projections.idle();
    expect(push.at('/carol-events')).toHaveLength(1);
    // Bob did all of it: nothing for him.
    expect(push.at('/bob-events')).toHaveLength(0);
  });

  it('a reaction to her message reaches Alice, with the message quoted; one in a chat set to "mentions only" does not', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-reaction');
    const { room, client: bobs } = await createGroup(server, bob, 'Team', [alice.id]);
    const alices = connectClient(server.wsUrl, alice.token);
    const [inbox, aliceBucket, bobBucket] = [alices.open(inboxDoc(alice.id)), alices.open(bucketDoc(room, 0)), bobs.open(bucketDoc(room, 0))];
    await Promise.all([inbox.synced, aliceBucket.synced, bobBucket.synced]);
    const lunch = message(alice.id, 'lunch at noon?');
    appendMessage(aliceBucket.doc, lunch);
    await alices.settled();
    // She wrote it from the chat: once she has closed it, pushes reach her again.
    aliceBucket.provider.destroy();
    await closedOnServer(server, bucketDoc(room, 0), alice.id);
    await waitFor(() => bobBucket.doc.getArray('messages').length >= 2, { what: "Alice's message at Bob's" });

    setReaction(bobBucket.doc, lunch.id, bob.id, '👍');
    await bobs.settled();
    await waitFor(() => push.at('/alice-reaction').length >= 2, { what: 'the reaction push' });
    expect(push.at('/alice-reaction').map((r) => decrypt(r, keys))).toEqual([
      { roomId: room, title: 'Team', body: 'Bob added you', tag: room },
      { roomId: room, title: 'Team', body: 'Bob reacted 👍 to “lunch at noon?”', tag: room },
    ]);

    setNotifyLevel(inbox.doc, room, 'mentions');
    await alices.settled();
    setReaction(bobBucket.doc, lunch.id, bob.id, '❤️');
    await bobs.settled();
    await server.projections.idle();
    // A mention still gets through "mentions only", and comes next: nothing about the second reaction came before it.
    await send(bobs, bobBucket, bob.id, '@Alice yes!', { mentions: [alice.id] });
    await waitFor(() => push.at('/alice-reaction').length >= 3, { what: 'the mention push' });
    expect(
      push
        .at('/alice-reaction')
        .map((r) => decrypt(r, keys).body)
        .slice(2),
    ).toEqual(['Bob: @Alice yes!']);
  });

  it("reading the chat on another device withdraws the push: a second push tells her browser to close the chat's notification", async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-withdraw');
    const { room, bobs, bucket } = await dmWithBob(server, alice, bob);
    const phone = connectClient(server.wsUrl, alice.token);
    const inbox = phone.open(inboxDoc(alice.id));
    await inbox.synced;
    const received = (n: number) => waitFor(() => (push.at('/alice-withdraw').length >= n ? push.at('/alice-withdraw').map((r) => decrypt(r, keys)) : null), { what: `push ${n}` });

    await send(bobs, bucket, bob.id, 'are you up?');
    expect((await received(1))[0]).toEqual({ roomId: room, title: 'Bob', body: 'are you up?', tag: room });
    // She reads it on her phone (which only moves her read mark in her inbox).
    markChatRead(inbox.doc, room, 1);
    await phone.settled();
    expect((await received(2))[1]).toEqual({ roomId: room, title: '', tag: room, close: true });

    // A read mark short of what the push announced withdraws nothing; reaching it does.
    await send(bobs, bucket, bob.id, 'two');
    await server.projections.idle();
    await send(bobs, bucket, bob.id, 'three');
    expect((await received(4)).slice(2).map((p) => p.body)).toEqual(['two', '2 new messages']);
    markChatRead(inbox.doc, room, 2);
    await phone.settled();
    markChatRead(inbox.doc, room, 3);
    await phone.settled();
    const all = await received(5);
    expect(all[4]).toEqual({ roomId: room, title: '', tag: room, close: true });
    await server.projections.idle();
    expect(push.at('/alice-withdraw')).toHaveLength(5);
  });

  it('an endpoint answering 410 is deleted; a 500 is tried again', async () => {
    const [alice, carol, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Carol'), await registerUser(server.url, 'Bob')];
    push.answer('/alice-5', 500, 201);
    push.answer('/carol-5', 410);
    const aliceKeys = await subscribe(server, alice.token, push, '/alice-5');
    await subscribe(server, carol.token, push, '/carol-5');
    const { room, client: bobs } = await createGroup(server, bob, 'Trio', [alice.id, carol.id]);
    const bucket = bobs.open(bucketDoc(room, 0));
    await bucket.synced;

    // The push about being added: Carol's endpoint says it is gone, Alice's fails once.
    await waitFor(async () => (await server.store.push.subscriptionsOf([carol.id])).length === 0, { what: "Carol's expired subscription to go" });
    expect(push.at('/carol-5')).toHaveLength(1);
    const retried = await waitFor(() => (push.at('/alice-5').length === 2 ? push.at('/alice-5') : null), { what: "Alice's retried push", timeoutMs: 5_000 });
    expect(retried.map((r) => decrypt(r, aliceKeys).body)).toEqual(['Bob added you', 'Bob added you']);
    await send(bobs, bucket, bob.id, 'hello both');
    await waitFor(() => push.at('/alice-5').length === 3, { what: "Alice's push about the message" });
    expect(decrypt(push.at('/alice-5')[2]!, aliceKeys).body).toBe('Bob: hello both');
    expect(push.at('/carol-5')).toHaveLength(1);
    expect(await server.store.push.subscriptionsOf([alice.id])).toHaveLength(1);
    const metrics = (await api(server.url, 'GET', '/metrics')).body as string;
    expect(metrics).toMatch(/jeco_push_total\{outcome="expired"\} [1-9]/);
    expect(metrics).toMatch(/jeco_push_total\{outcome="sent"\} [1-9]/);
    expect(metrics).toMatch(/jeco_push_queue_length 0/);
  });

  it("signing out, or being signed out from another device, deletes that session's subscription only", async () => {
    const alice = await registerUser(server.url, 'Alice');
    const signIn = async () => (await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password: 'correct horse battery' } })).body.token as string;
    const [laptop, phone] = [await signIn(), await signIn()];
    await subscribe(server, alice.token, push, '/alice-6-first');
    await subscribe(server, laptop, push, '/alice-6-laptop');
    await subscribe(server, phone, push, '/alice-6-phone');
    const endpoints = async () => (await server.store.push.subscriptionsOf([alice.id])).map((s) => s.endpoint).sort();
    expect(await endpoints()).toHaveLength(3);

    expect((await api(server.url, 'POST', '/api/auth/logout', { token: laptop })).status).toBe(204);
    expect(await endpoints()).toEqual([push.endpoint('/alice-6-first'), push.endpoint('/alice-6-phone')]);
    const devices = (await api(server.url, 'GET', '/api/auth/sessions', { token: alice.token })).body.devices as { id: string; current: boolean }[];
    for (const device of devices.filter((d) => !d.current)) expect((await api(server.url, 'DELETE', `/api/auth/sessions/${device.id}`, { token: alice.token })).status).toBe(204);
    expect(await endpoints()).toEqual([push.endpoint('/alice-6-first')]);

    // Turning notifications off on this device; someone else's endpoint is not theirs to delete.
    const bob = await registerUser(server.url, 'Bob');
    expect((await api(server.url, 'DELETE', '/api/push/subscription', { token: bob.token, body: { endpoint: push.endpoint('/alice-6-first') } })).status).toBe(204);
    expect(await endpoints()).toHaveLength(1);
    expect((await api(server.url, 'DELETE', '/api/push/subscription', { token: alice.token, body: { endpoint: push.endpoint('/alice-6-first') } })).status).toBe(204);
    expect(await endpoints()).toEqual([]);
  });

  it('refuses a malformed subscription, and one without a session', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const keys = browserKeys();
    const body = { endpoint: push.endpoint('/x'), keys: { p256dh: keys.p256dh, auth: keys.auth } };
    expect((await api(server.url, 'POST', '/api/push/subscription', { body })).status).toBe(401);
    for (const bad of [{ ...body, endpoint: 'not a url' }, { ...body, keys: { ...body.keys, auth: 'short' } }, { ...body, keys: { p256dh: keys.auth, auth: keys.auth } }, { ...body, extra: 1 }, {}]) {
      const res = await api(server.url, 'POST', '/api/push/subscription', { token: alice.token, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.kind).toBe('bad_request');
    }
    expect(await server.store.push.subscriptionsOf([alice.id])).toEqual([]);
  });
});

describe('Web Push without the test flag', async () => {
  const server = await startServer({ env: { JECO_PUSH_INTERVAL_MS: '0' } });

  it('refuses endpoints the server must not call: plain http, loopback, private, link-local, names resolving to them', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const keys = browserKeys();
    const tryEndpoint = (endpoint: string) => api(server.url, 'POST', '/api/push/subscription', { token: alice.token, body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } } });
    for (const endpoint of [
      `${server.url}/api/auth/logout`,
      'https://127.0.0.1/push',
      'https://localhost/push',
      'https://10.1.2.3/push',
      'https://192.168.0.10/push',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/push',
      'https://[::1]/push',
      'https://[fd00::1]/push',
      'https://[::ffff:127.0.0.1]/push',
      'https://0.0.0.0/push',
      'https://user:pass@93.184.216.34/push',
    ]) {
      const res = await tryEndpoint(endpoint);
      expect(res.status, endpoint).toBe(400);
      expect(res.body.error.kind).toBe('bad_request');
    }
    expect(await server.store.push.subscriptionsOf([alice.id])).toEqual([]);
    // A public address is fine (nothing is sent to it until a message comes).
    expect((await tryEndpoint('https://93.184.216.34/push')).status).toBe(204);
  });
});

describe('Web Push rate bound', async () => {
  const push = await startPushService();
  const server = await startServer({ env: { JECO_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true', JECO_PUSH_INTERVAL_MS: '1500' } });

  it('a busy group gives one push, then one that counts what came meanwhile; being added counts against the same bound', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-busy');
    const { room, client: bobs } = await createGroup(server, bob, 'Team', [alice.id]);
    const bucket = bobs.open(bucketDoc(room, 0));
    await bucket.synced;

    await waitFor(() => push.at('/alice-busy').length === 1, { what: 'the push about being added' });
    for (const text of ['first', 'two', 'three', 'four', 'five']) {
      await send(bobs, bucket, bob.id, text);
      await server.projections.idle();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(push.at('/alice-busy')).toHaveLength(1);
    await waitFor(() => push.at('/alice-busy').length === 2, { what: 'the gathered push', timeoutMs: 3_000 });
    expect(push.at('/alice-busy').map((r) => decrypt(r, keys))).toEqual([
      { roomId: room, title: 'Team', body: 'Bob added you', tag: room },
      { roomId: room, title: 'Team', body: '5 new messages', tag: room },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(push.at('/alice-busy')).toHaveLength(2);
  });

  it('a push still held when the person reads the chat elsewhere is not sent; one already shown is withdrawn', async () => {
    const [alice, bob] = [await registerUser(server.url, 'Alice'), await registerUser(server.url, 'Bob')];
    const keys = await subscribe(server, alice.token, push, '/alice-held');
    const { room, bobs, bucket } = await dmWithBob(server, alice, bob);
    const phone = connectClient(server.wsUrl, alice.token);
    const inbox = phone.open(inboxDoc(alice.id));
    await inbox.synced;

    await send(bobs, bucket, bob.id, 'first');
    await waitFor(() => push.at('/alice-held').length === 1, { what: 'the first push' });
    // Within the interval: held, then read on her phone before it could go.
    await send(bobs, bucket, bob.id, 'second');
    await server.projections.idle();
    markChatRead(inbox.doc, room, 2);
    await phone.settled();
    await waitFor(() => push.at('/alice-held').length === 2, { what: 'the withdrawal of the first' });
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    // The withdrawal needs no interval; the held message never went out.
    expect(push.at('/alice-held').map((r) => decrypt(r, keys))).toEqual([
      { roomId: room, title: 'Bob', body: 'first', tag: room },
      { roomId: room, title: '', tag: room, close: true },
    ]);
  });
});
