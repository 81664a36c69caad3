// Long on purpose: the account feature's integration tests (deleting, exporting, e-mail, photo), one describe each, sharing its helpers.
import { readdir, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { addContact } from '#schema/docs/contacts';
import { readChats } from '#schema/docs/inbox';
import { bucketDoc, contactsDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket, initGroup, removeMember } from '#schema/docs/roomHead';
import { newGroupId, type RoomId } from '#schema/ids';
import { hashToken } from '../../sync-server/src/auth/sessions';
import { outboxDir } from '../../sync-server/src/mail/mailer';
import { api, registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc } from '../helpers/client';
import { message, startDm, texts } from '../helpers/dm';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const password = 'correct horse battery';

/** The first reason the server closed `open`'s connection with, once it has. */
function closeReason(open: OpenDoc): () => string | undefined {
  let reason: string | undefined;
  open.provider.on('close', ({ event }: { event: { reason: string } }) => (reason ??= event.reason || undefined));
  return () => reason;
}

describe('deleting my account', async () => {
  const server = await startServer();
  // A server that frees a deleted account's username at once.
  const noGrace = await startServer({ env: { JECO_USERNAME_GRACE_MS: '0' } });

  it('closes every session at once, anonymises the profile for others, keeps sent messages, and refuses sign-in', async () => {
    const { alice, bob, aBucket, bBucket } = await startDm(server);
    appendMessage(aBucket.doc, message(alice.id, 'hello from alice'));
    await waitFor(() => texts(bBucket.doc).includes('hello from alice'), { what: 'Bob to get the message' });
    const phone = (await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password } })).body.token as string;
    await api(server.url, 'PATCH', '/api/me', { token: alice.token, body: { about: 'about alice' } });
    const inbox = connectClient(server.wsUrl, phone).open(inboxDoc(alice.id));
    await inbox.synced;
    const phoneClosed = closeReason(inbox);
    const laptopClosed = closeReason(aBucket);
    // A push subscription of the phone's session, as the subscribe route stores it.
    await server.store.push.saveSubscription({ endpoint: 'https://push.example.test/alice', sessionHash: hashToken(phone), userId: alice.id, p256dh: 'k', auth: 'a', createdAt: Date.now() });
    expect(await server.store.push.subscriptionsOf([alice.id])).toHaveLength(1);

    const res = await api(server.url, 'DELETE', '/api/me', { token: alice.token, body: { password } });
    expect(res.status).toBe(204);
    await waitFor(() => phoneClosed() === 'unauthorized' && laptopClosed() === 'unauthorized', { what: "both of Alice's live connections to close", timeoutMs: 2_000 });
    for (const token of [alice.token, phone]) expect((await api(server.url, 'GET', '/api/auth/me', { token })).status).toBe(401);
    expect(await server.store.push.subscriptionsOf([alice.id])).toEqual([]);

    const seen = await api(server.url, 'GET', `/api/users/${alice.id}`, { token: bob.token });
    expect(seen.status).toBe(200);
    expect(seen.body.user).toEqual({ id: alice.id, username: '', displayName: 'Deleted account', lastSeenAt: null, about: null, deleted: true, mayAddToGroups: false });
    for (const q of [alice.username, 'Alice', 'Deleted']) {
      const found = (await api(server.url, 'GET', `/api/users?q=${encodeURIComponent(q)}`, { token: bob.token })).body.users as { id: string }[];
      expect(found.map((u) => u.id)).not.toContain(alice.id);
    }
    const signIn = await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password } });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.kind).toBe('bad_credentials');
    // What Alice sent stays in Bob's chat.
    expect(texts(bBucket.doc)).toContain('hello from alice');
  });

  it('keeps the username taken during the grace period, and frees it after', async () => {
    for (const [target, reusable] of [
      [server, false],
      [noGrace, true],
    ] as const) {
      const carol = await registerUser(target.url, 'Carol');
      expect((await api(target.url, 'DELETE', '/api/me', { token: carol.token, body: { password } })).status).toBe(204);
      const again = await api(target.url, 'POST', '/api/auth/register', { body: { username: carol.username, password: 'another password 1', displayName: 'New Carol' } });
      expect(again.status).toBe(reusable ? 201 : 409);
      if (!reusable) continue;
      expect(again.body.user.id).not.toBe(carol.id);
      // The new account is its own: the old one still reads as deleted.
      const old = await api(target.url, 'GET', `/api/users/${carol.id}`, { token: again.body.token });
      expect(old.body.user.displayName).toBe('Deleted account');
      const signIn = await api(target.url, 'POST', '/api/auth/login', { body: { username: carol.username, password: 'another password 1' } });
      expect(signIn.body.user.id).toBe(again.body.user.id);
    }
  });

  it('refuses without the right password, and nobody can delete someone else', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    for (const body of [{ password: 'wrong password' }, {}, { password: '' }, { password: 'x', userId: bob.id }]) {
      const res = await api(server.url, 'DELETE', '/api/me', { token: alice.token, body });
      expect([400, 401]).toContain(res.status);
    }
    // Alice's password with Bob's session deletes nothing (the session names the account).
    expect((await api(server.url, 'DELETE', '/api/me', { token: bob.token, body: { password: 'wrong password' } })).status).toBe(401);
    expect((await api(server.url, 'DELETE', '/api/me', { body: { password } })).status).toBe(401);
    for (const user of [alice, bob]) {
      const me = await api(server.url, 'GET', '/api/auth/me', { token: user.token });
      expect(me.status).toBe(200);
      expect(me.body.user.displayName).not.toBe('Deleted account');
    }
  });
});

describe('exporting my data', async () => {
  const server = await startServer({ env: { JECO_EXPORTS_PER_HOUR: '2' } });

  /** Opens a new group by `owner` with `members` and one message in it, once the server has stored it. */
  async function groupWith(owner: TestUser, members: TestUser[], name: string, text: string): Promise<RoomId> {
    const client = connectClient(server.wsUrl, owner.token);
    const room = newGroupId();
    const head = client.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name, owner: owner.id, members: members.map((m) => m.id), now: Date.now() });
    await client.settled();
    await waitFor(async () => (await server.store.getMemberRole(room, owner.id)) !== null, { what: `group ${name} to be stored` });
    const bucket = client.open(bucketDoc(room, 0));
    await bucket.synced;
    appendMessage(bucket.doc, message(owner.id, text));
    await client.settled();
    return room;
  }

  it('downloads my profile, contacts and every message of my chats, and nothing of chats I am not in', async () => {
    const { alice, bob, room: dm, aBucket, bBucket, a } = await startDm(server);
    const carol = await registerUser(server.url, 'Carol');
    appendMessage(aBucket.doc, message(alice.id, 'alice in the dm'));
    appendMessage(bBucket.doc, message(bob.id, 'bob in the dm'));
    const contacts = a.open(contactsDoc(alice.id));
    await contacts.synced;
    addContact(contacts.doc, bob.id, { addedAt: Date.now(), nickname: 'Bobby' });
    await a.settled();
    const together = await groupWith(bob, [alice], 'Together', 'hello group');
    const secret = await groupWith(bob, [carol], 'Secret', 'not for alice');
    // Alice's chat index lists both of her chats.
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
    await waitFor(() => readChats(inbox.doc).length === 2, { what: "Alice's chat list to hold the DM and the group" });

    const res = await fetch(`${server.url}/api/me/export`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`jeco-${alice.username}-`);
    const text = await res.text();
    const data = JSON.parse(text);
    expect(data.format).toBe('jeco-export');
    expect(data.profile).toMatchObject({ id: alice.id, username: alice.username, displayName: 'Alice' });
    expect(data.contacts).toEqual([{ userId: bob.id, addedAt: expect.any(Number), nickname: 'Bobby' }]);
    const rooms = data.rooms as { id: string; name?: string; messages: { text?: string; authorId: string }[] }[];
    expect(rooms.map((r) => r.id).sort()).toEqual([dm, together].sort());
    const dmTexts = rooms.find((r) => r.id === dm)!.messages.map((m) => m.text);
    // Both wrote at once: the order is Yjs', the same for everyone.
    expect(dmTexts.sort()).toEqual(['alice in the dm', 'bob in the dm']);
    expect(rooms.find((r) => r.id === together)!.messages.map((m) => m.text)).toContain('hello group');
    expect(text).not.toContain('not for alice');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('Secret');
    expect(data.people[bob.id]).toEqual({ username: bob.username, displayName: 'Bob' });
    // No one else's e-mail or password hash travels.
    expect(text).not.toContain('argon2');
  });

  it('a former member gets the messages of their time in the group, and nothing written after they were removed', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const client = connectClient(server.wsUrl, bob.token);
    const room = newGroupId();
    const head = client.open(roomHeadDoc(room));
    await head.synced;
    initGroup(head.doc, { name: 'Hikers', owner: bob.id, members: [alice.id], now: Date.now() });
    await client.settled();
    await waitFor(async () => (await server.store.getMemberRole(room, alice.id)) !== null, { what: 'the group to be stored' });
    const first = client.open(bucketDoc(room, 0));
    await first.synced;
    appendMessage(first.doc, message(bob.id, 'while alice was here'));
    await client.settled();
    removeMember(head.doc, alice.id);
    await client.settled();
    await server.projections.idle();
    await waitFor(async () => (await server.store.getFormerThrough(room, alice.id)) !== null && headBucket(head.doc) > 0, { what: 'Alice to be a former member' });
    const next = client.open(bucketDoc(room, headBucket(head.doc)));
    await next.synced;
    appendMessage(next.doc, message(bob.id, 'after alice was removed'));
    await client.settled();

    const text = JSON.stringify((await api(server.url, 'GET', '/api/me/export', { token: alice.token })).body);
    expect(text).toContain('while alice was here');
    expect(text).not.toContain('after alice was removed');
  });

  it('is limited per person, and refused without a session', async () => {
    const dee = await registerUser(server.url, 'Dee');
    const eve = await registerUser(server.url, 'Eve');
    const get = (token?: string) => api(server.url, 'GET', '/api/me/export', token ? { token } : {});
    expect((await get()).status).toBe(401);
    expect((await get(dee.token)).status).toBe(200);
    expect((await get(dee.token)).status).toBe(200);
    const third = await get(dee.token);
    expect(third.status).toBe(429);
    expect(third.body.error.kind).toBe('rate_limited');
    // Someone else's limit is their own.
    expect((await get(eve.token)).status).toBe(200);
  });
});

describe('changing my e-mail address', async () => {
  const server = await startServer();

  /** The mails sent to `email` so far, as the outbox holds them. */
  async function mailsTo(email: string): Promise<string[]> {
    const dir = outboxDir(server.dataDir);
    const out: string[] = [];
    for (const file of await readdir(dir).catch(() => [])) {
      const text = await readFile(`${dir}/${file}`, 'utf8');
      if (text.includes(`To: ${email}`)) out.push(text);
    }
    return out;
  }

  it('moves the account to a free address, telling both addresses; password resets go to the new one', async () => {
    const alice = await registerUser(server.url, 'Alice', { email: 'alice-old@example.test' });
    const res = await api(server.url, 'PUT', '/api/me/email', { token: alice.token, body: { email: 'Alice-New@example.test', password } });
    expect(res.status).toBe(202);
    expect((await server.store.getUserById(alice.id))!.email).toBe('alice-new@example.test');
    await waitFor(async () => (await mailsTo('alice-new@example.test')).length === 1 && (await mailsTo('alice-old@example.test')).length === 1, { what: 'both addresses to be told' });
    expect((await mailsTo('alice-old@example.test'))[0]).toContain('alice-new@example.test');
    // The old address no longer resets the password: a reset mails the new one only.
    await api(server.url, 'POST', '/api/auth/password-reset', { body: { email: 'alice-old@example.test' } });
    await api(server.url, 'POST', '/api/auth/password-reset', { body: { email: 'alice-new@example.test' } });
    await waitFor(async () => (await mailsTo('alice-new@example.test')).some((m) => m.includes('/reset?token=')), { what: 'the reset mail at the new address' });
    expect((await mailsTo('alice-old@example.test')).some((m) => m.includes('/reset?token='))).toBe(false);
  });

  it("answers the same for an address another account has, changes nothing, and tells that address's owner", async () => {
    const bob = await registerUser(server.url, 'Bob', { email: 'bob@example.test' });
    const mallory = await registerUser(server.url, 'Mallory', { email: 'mallory@example.test' });
    const free = await api(server.url, 'PUT', '/api/me/email', { token: mallory.token, body: { email: 'mallory2@example.test', password } });
    const taken = await api(server.url, 'PUT', '/api/me/email', { token: mallory.token, body: { email: 'bob@example.test', password } });
    expect(taken.status).toBe(free.status);
    expect(taken.body).toEqual(free.body);
    expect((await server.store.getUserById(mallory.id))!.email).toBe('mallory2@example.test');
    expect((await server.store.getUserByEmail('bob@example.test'))!.id).toBe(bob.id);
    await waitFor(async () => (await mailsTo('bob@example.test')).some((m) => m.includes(mallory.username)), { what: 'Bob to be told someone tried his address' });
    // Nothing Mallory can read tells her either: her profile and her export carry no address.
    const me = await api(server.url, 'GET', '/api/auth/me', { token: mallory.token });
    expect(JSON.stringify(me.body)).not.toContain('@example.test');
    const exported = await api(server.url, 'GET', '/api/me/export', { token: mallory.token });
    expect(JSON.stringify(exported.body)).not.toContain('@example.test');
  });

  it('refuses without the password, and a bad address changes nothing', async () => {
    const carol = await registerUser(server.url, 'Carol', { email: 'carol@example.test' });
    for (const body of [{ email: 'c2@example.test', password: 'wrong password' }, { email: 'not an address', password }, { email: 'c3@example.test' }]) {
      const res = await api(server.url, 'PUT', '/api/me/email', { token: carol.token, body });
      expect([400, 401]).toContain(res.status);
    }
    expect((await api(server.url, 'PUT', '/api/me/email', { body: { email: 'c4@example.test', password } })).status).toBe(401);
    expect((await server.store.getUserById(carol.id))!.email).toBe('carol@example.test');
  });
});

describe('profile photo', async () => {
  const server = await startServer({ env: { JECO_MAX_PHOTO_BYTES: String(400 * 1024) } });

  /** A photo as a camera saves it: a JPEG with EXIF (a GPS-like comment and an orientation). */
  async function cameraJpeg(width: number, height: number): Promise<Buffer> {
    return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-camera-owner', ImageDescription: 'home 52.1N 4.3E' } })
      .toBuffer();
  }

  const put = (token: string | undefined, body: Buffer | string, type = 'image/jpeg') =>
    fetch(`${server.url}/api/me/photo`, {
      method: 'PUT',
      headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  it('stores a square, metadata-free copy that the people allowed to see it get, and the others do not', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const sent = await cameraJpeg(900, 600);
    expect((await sharp(sent).metadata()).exif).toBeDefined();
    const res = await put(alice.token, sent);
    expect(res.status).toBe(200);
    const version = ((await res.json()) as { user: { photo: string } }).user.photo;
    expect(version).toMatch(/^[0-9a-f]{16}$/);

    const seen = await api(server.url, 'GET', `/api/users/${alice.id}`, { token: bob.token });
    expect(seen.body.user.photo).toBe(version);
    const photo = await fetch(`${server.url}/api/users/${alice.id}/photo?v=${version}`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/webp');
    const bytes = Buffer.from(await photo.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 512, 512]);
    expect(meta.exif).toBeUndefined();
    expect(bytes.includes('secret-camera-owner')).toBe(false);

    // "Photo and about: nobody" hides it from Bob, and so does Alice blocking him.
    await api(server.url, 'PATCH', '/api/me/privacy', { token: alice.token, body: { profile: 'nobody' } });
    await waitFor(async () => (await api(server.url, 'GET', `/api/users/${alice.id}`, { token: bob.token })).body.user.photo === undefined, { what: 'the photo to be hidden from Bob' });
    expect((await fetch(`${server.url}/api/users/${alice.id}/photo`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(404);
    // Alice herself still sees it.
    expect((await fetch(`${server.url}/api/users/${alice.id}/photo`, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(200);
    await api(server.url, 'PATCH', '/api/me/privacy', { token: alice.token, body: { profile: 'everyone' } });
    await api(server.url, 'PUT', `/api/blocks/${bob.id}`, { token: alice.token });
    await waitFor(async () => (await fetch(`${server.url}/api/users/${alice.id}/photo`, { headers: { authorization: `Bearer ${bob.token}` } })).status === 404, {
      what: 'the photo to be hidden from someone she blocked',
    });
    expect((await fetch(`${server.url}/api/users/${alice.id}/photo`)).status).toBe(401);

    // Removing it, and deleting the account, leave no photo.
    const removed = await api(server.url, 'DELETE', '/api/me/photo', { token: alice.token });
    expect(removed.body.user.photo).toBeUndefined();
    expect((await fetch(`${server.url}/api/users/${alice.id}/photo`, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(404);
    await put(alice.token, sent);
    await api(server.url, 'DELETE', '/api/me', { token: alice.token, body: { password } });
    expect((await server.store.getUserById(alice.id))!.photo).toBeNull();
  });

  it('refuses what is not an image, too large, or from nobody, and changes nothing', async () => {
    const carol = await registerUser(server.url, 'Carol');
    expect((await put(carol.token, 'not an image at all')).status).toBe(422);
    expect((await put(carol.token, Buffer.from('GIF89a'), 'image/gif')).status).toBe(400);
    expect((await put(carol.token, Buffer.alloc(0))).status).toBe(400);
    const huge = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#888' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(huge.length).toBeGreaterThan(400 * 1024);
    expect((await put(carol.token, huge, 'image/png')).status).toBe(413);
    expect((await put(undefined, await cameraJpeg(100, 100))).status).toBe(401);
    expect((await server.store.getUserById(carol.id))!.photo).toBeNull();
  });
});
