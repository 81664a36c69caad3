import { describe, expect, it } from 'vitest';
import { appendMessage } from '../../schema/docs/bucket';
import { inboxDoc } from '../../schema/docs/names';
import { hashToken } from '../../sync-server/src/auth/sessions';
import { api, registerUser } from '../helpers/api';
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
    expect((await server.store.push.subscriptionsOf([alice.id]))).toEqual([]);

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
    for (const [target, reusable] of [[server, false], [noGrace, true]] as const) {
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
