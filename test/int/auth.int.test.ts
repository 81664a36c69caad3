import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inboxDoc } from '#schema/docs/names';
import { outboxDir } from '../../sync-server/src/mail/mailer';
import { api, registerUser } from '../helpers/api';
import { connectClient } from '../helpers/client';
import { startServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const password = 'correct horse battery';

async function resetLinkFor(dataDir: string, email: string): Promise<string> {
  const dir = outboxDir(dataDir);
  const mail = await waitFor(
    async () => {
      for (const file of await readdir(dir).catch(() => [])) {
        const text = await readFile(`${dir}/${file}`, 'utf8');
        if (text.includes(`To: ${email}`)) return text;
      }
      return null;
    },
    { what: `mail to ${email}` },
  );
  return /https?:\/\/\S+\/reset\?token=(\S+)/.exec(mail)![1]!;
}

describe('accounts over HTTP', async () => {
  const server = await startServer();

  it('signs up with a session cookie that scripts cannot read, and refuses a taken username', async () => {
    const res = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'Dora_1', password, displayName: 'Dora' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: 'dora_1', displayName: 'Dora' });
    expect(res.body.token).toMatch(/^[a-z2-7]{32}$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/jeco_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const again = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'DORA_1', password } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { kind: 'username_taken', message: expect.any(String) } });
  });

  it('answers bad input with one error shape and changes nothing', async () => {
    const malformed = await api(server.url, 'POST', '/api/auth/register', { body: '{"username": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.kind).toBe('bad_request');
    const short = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'erin', password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/password/);
    const extra = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'erin', password, admin: true } });
    expect(extra.status).toBe(400);
    const huge = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'erin', password, displayName: 'x'.repeat(200_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.kind).toBe('payload_too_large');
    expect((await api(server.url, 'POST', '/api/auth/login', { body: { username: 'erin', password } })).status).toBe(401);
  });

  it('signs in, knows the user by cookie or bearer token, and signs out for good', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const login = await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { cookie } })).body.user.id).toBe(alice.id);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: login.body.token })).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/auth/me')).status).toBe(401);

    // A live sync connection of the session closes when it signs out.
    const client = connectClient(server.wsUrl, login.body.token);
    const inbox = client.open(inboxDoc(alice.id));
    await inbox.synced;
    // A per-doc close carries only its reason on the wire (the provider reports code 1000).
    let closedWith: string | undefined;
    inbox.provider.on('close', ({ event }: { event: { reason: string } }) => (closedWith ??= event.reason));
    expect((await api(server.url, 'POST', '/api/auth/logout', { headers: { cookie } })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { cookie } })).status).toBe(401);
    await expect(connectClient(server.wsUrl, login.body.token).open(inboxDoc(alice.id)).refused).resolves.toBe('unauthorized');
    // The other session (from sign-up) is untouched.
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(200);
    await waitFor(() => closedWith === 'unauthorized', { what: 'the live connection to close as unauthorized' });
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const wrong = await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password: 'wrong password' } });
    const unknown = await api(server.url, 'POST', '/api/auth/login', { body: { username: 'nobody_here', password: 'wrong password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('resets a password with a single-use mailed token and revokes every session', async () => {
    const frank = await registerUser(server.url, 'Frank', { email: 'frank@example.org' });
    const unknown = await api(server.url, 'POST', '/api/auth/password-reset', { body: { email: 'nobody@example.org' } });
    const known = await api(server.url, 'POST', '/api/auth/password-reset', { body: { email: 'Frank@Example.org' } });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);

    const token = await resetLinkFor(server.dataDir, 'frank@example.org');
    const confirm = await api(server.url, 'POST', '/api/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
    expect(confirm.status).toBe(204);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: frank.token })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/login', { body: { username: frank.username, password } })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/login', { body: { username: frank.username, password: 'a brand new password' } })).status).toBe(200);

    const reused = await api(server.url, 'POST', '/api/auth/password-reset/confirm', { body: { token, password: 'yet another password' } });
    expect(reused.status).toBe(400);
    expect(reused.body.error.kind).toBe('invalid_token');
  });

  it('refuses a state-changing request from another site', async () => {
    const res = await api(server.url, 'POST', '/api/auth/login', { body: { username: 'x_y_z', password }, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
  });

  it('finds users by username or display-name prefix, only for signed-in users', async () => {
    const searcher = await registerUser(server.url, 'Searcher');
    await registerUser(server.url, 'Zelda', { displayName: 'Zelda Fitzgerald' });
    expect((await api(server.url, 'GET', '/api/users?q=zel')).status).toBe(401);
    const byName = await api(server.url, 'GET', '/api/users?q=zel', { token: searcher.token });
    expect(byName.body.users.map((u: { displayName: string }) => u.displayName)).toContain('Zelda Fitzgerald');
    expect(byName.body.users[0]).not.toHaveProperty('email');
    const profile = await api(server.url, 'GET', `/api/users/${byName.body.users[0].id}`, { token: searcher.token });
    expect(profile.body.user.displayName).toBe('Zelda Fitzgerald');
    expect((await api(server.url, 'GET', '/api/users/not-an-id', { token: searcher.token })).status).toBe(404);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
    const ready = (await api(server.url, 'GET', '/readyz')).body;
    expect(ready.ok).toBe(true);
    expect(ready.dependencies).toContainEqual({ dependency: 'sqlite', up: true });
    const metrics = await api(server.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/jeco_connections/);
    expect((await api(server.url, 'GET', '/api/nothing')).body.error.kind).toBe('not_found');
  });
});

describe('sign-in rate limit', async () => {
  const server = await startServer({ env: { JECO_AUTH_RATE_PER_MIN: '3' } });

  it('answers 429 once an address tried too often, even with the right password', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password: 'wrong password' } })).status);
    }
    const limited = await api(server.url, 'POST', '/api/auth/login', { body: { username: alice.username, password } });
    expect(statuses).toEqual([401, 401, 401]);
    expect(limited.status).toBe(429);
    expect(limited.body.error.kind).toBe('rate_limited');
  });
});

describe('sessions of live sync connections', async () => {
  const server = await startServer({ env: { JECO_SESSION_IDLE_MS: '1200', JECO_SESSION_MAX_MS: '3500' } });

  it('an open connection keeps its session alive, and is closed when the session reaches its absolute expiry', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const inbox = connectClient(server.wsUrl, alice.token).open(inboxDoc(alice.id));
    await inbox.synced;
    let closedWith: string | undefined;
    inbox.provider.on('close', ({ event }: { event: { reason: string } }) => (closedWith ??= event.reason));

    // Past the idle expiry, the live connection has kept the session in use.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(200);
    expect(closedWith).toBeUndefined();

    await waitFor(() => closedWith === 'unauthorized', { timeoutMs: 4000, what: 'the connection to close at the absolute expiry' });
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(401);
  });
});
