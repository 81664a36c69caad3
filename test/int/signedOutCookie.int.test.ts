import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SIGNED_OUT_COOKIE } from '#schema/api/auth';
import { api, registerUser } from '../helpers/api';
import { startServer } from '../helpers/server';

/** The cookie header of a browser that signed out offline: its HttpOnly session cookie, and the flag its script set. */
const signedOutBrowser = (token: string) => ({ cookie: `${SESSION_COOKIE}=${token}; ${SIGNED_OUT_COOKIE}=1` });

describe('a sign-out the server did not hear (the signed-out flag cookie)', async () => {
  const server = await startServer();

  it('the next request revokes the session, clears both cookies and is answered as signed out', async () => {
    const alice = await registerUser(server.url, 'Alice');
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } })).status).toBe(200);

    const me = await api(server.url, 'GET', '/api/auth/me', { headers: signedOutBrowser(alice.token) });
    expect(me.status).toBe(401);
    const cleared = me.headers.getSetCookie();
    expect(cleared).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${SESSION_COOKIE}=;`)), expect.stringMatching(new RegExp(`^${SIGNED_OUT_COOKIE}=;`))]));
    // Revoked for good: the same token no longer works by any route.
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } })).status).toBe(401);
  });

  it('a Bearer token is not the browser cookie and is left alone; signing in clears the flag', async () => {
    const bob = await registerUser(server.url, 'Bob');
    const withBearer = await api(server.url, 'GET', '/api/auth/me', { token: bob.token, headers: { cookie: `${SIGNED_OUT_COOKIE}=1` } });
    expect(withBearer.status).toBe(200);
    const login = await api(server.url, 'POST', '/api/auth/login', { body: { username: bob.username, password: 'correct horse battery' }, headers: { cookie: `${SIGNED_OUT_COOKIE}=1` } });
    expect(login.status).toBe(200);
    // A browser applies Set-Cookie headers in order: the new session cookie must come after the hook's clearing.
    const sessionCookies = login.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(sessionCookies.at(-1)).toMatch(new RegExp(`^${SESSION_COOKIE}=[a-z2-7]+`));
    expect(
      login.headers
        .getSetCookie()
        .filter((c) => c.startsWith(`${SIGNED_OUT_COOKIE}=`))
        .at(-1),
    ).toMatch(new RegExp(`^${SIGNED_OUT_COOKIE}=;`));
  });
});
