import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { outboxDir } from '../../sync-server/src/mail/mailer';
import { api, registerUser } from '../helpers/api';
import { message, startDm, texts, type DmPair } from '../helpers/dm';
import { rawConnect, rawExchange, upgradeRequest } from '../helpers/rawHttp';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

const password = 'correct horse battery';

/** The server is unharmed: health answers at once, and a DM still carries a message both ways. */
async function expectUnharmed(server: TestServer, pair: DmPair, text: string): Promise<void> {
  const started = Date.now();
  expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
  // Generous for a shared machine; a stalled event loop takes seconds.
  expect(Date.now() - started).toBeLessThan(1000);
  appendMessage(pair.aBucket.doc, message(pair.alice.id, text));
  await waitFor(() => texts(pair.bBucket.doc).includes(text), { what: `Bob receives "${text}"` });
  appendMessage(pair.bBucket.doc, message(pair.bob.id, `re: ${text}`));
  await waitFor(() => texts(pair.aBucket.doc).includes(`re: ${text}`), { what: `Alice receives "re: ${text}"` });
}

/** GET over a connection from a chosen loopback address (another peer, as the server sees it). */
function getFrom(port: number, localAddress: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe('the /sync handshake refuses what it cannot parse and keeps serving', async () => {
  const server = await startServer();
  const pair = await startDm(server);

  it('refuses `Origin: null` (sandboxed iframes, file:// pages) with 403', async () => {
    const res = await rawExchange(server.port, upgradeRequest(server.port, { origin: 'null' }));
    expect(res.status).toBe(403);
    expect(res.closed).toBe(true);
    await expectUnharmed(server, pair, 'after Origin null');
  });

  it('refuses an Origin that is not a URL, or names another site, with 403', async () => {
    for (const origin of ['not a url', 'http://', '://x', '', 'https://evil.example', `http://127.0.0.1:${server.port}, http://evil.example`]) {
      const res = await rawExchange(server.port, upgradeRequest(server.port, { origin }));
      expect(res.status, `Origin: ${origin}`).toBe(403);
    }
    await expectUnharmed(server, pair, 'after bad origins');
  });

  it('refuses a malformed Host with 400', async () => {
    for (const host of ['[::1', 'a b', 'example.com:99999', 'a/b', 'user@evil.example', 'x?y', '%']) {
      const res = await rawExchange(server.port, upgradeRequest(server.port, { host, origin: null }));
      expect(res.status, `Host: ${host}`).toBe(400);
    }
    await expectUnharmed(server, pair, 'after bad hosts');
  });

  it('refuses a path that is not /sync, or cannot be parsed, without taking the socket', async () => {
    expect((await rawExchange(server.port, upgradeRequest(server.port, {}, '/api/auth/me'))).status).toBe(404);
    expect((await rawExchange(server.port, upgradeRequest(server.port, {}, '//'))).status).toBe(400);
    // A same-site handshake is still accepted.
    const ok = await rawConnect(server.port);
    ok.socket.write(upgradeRequest(server.port, { origin: `http://127.0.0.1:${server.port}` }));
    await waitFor(() => ok.received().startsWith('HTTP/1.1 101'), { what: 'the handshake to be accepted' });
    ok.socket.destroy();
    await expectUnharmed(server, pair, 'after odd paths');
  });

  it('survives garbage frames and an abrupt reset on an accepted socket', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = await rawConnect(server.port);
      socket.socket.write(upgradeRequest(server.port));
      await waitFor(() => socket.received().startsWith('HTTP/1.1 101'), { what: 'the handshake to be accepted' });
      // A masked binary frame holding bytes that are no Hocuspocus message, then a frame cut short.
      socket.socket.write(Buffer.from([0x82, 0x84, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]));
      socket.socket.write(Buffer.from([0x82, 0xfe, 0xff]));
      if (i % 2) socket.socket.resetAndDestroy();
      else socket.socket.destroy();
    }
    await expectUnharmed(server, pair, 'after garbage frames');
  });
});

describe('HTTP requests that used to fail', async () => {
  const server = await startServer();

  it('refuses a POST with `Origin: null` as cross-site (403), not as a server error', async () => {
    const res = await api(server.url, 'POST', '/api/auth/login', { body: { username: 'x_y_z', password }, headers: { origin: 'null' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { kind: 'forbidden', message: expect.any(String) } });
  });

  it('accepts an empty body with `content-type: application/json` where the route takes none', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const res = await api(server.url, 'POST', '/api/auth/logout', { token: alice.token, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(204);
    expect((await api(server.url, 'GET', '/api/auth/me', { token: alice.token })).status).toBe(401);
    // A route that needs a body says what is missing.
    const login = await api(server.url, 'POST', '/api/auth/login', { body: '', headers: { 'content-type': 'application/json' } });
    expect(login.status).toBe(400);
    expect(login.body.error.kind).toBe('bad_request');
  });

  it('answers malformed JSON with 400 `bad_request` in the usual shape', async () => {
    for (const body of ['{"username": "x",', '{', 'nul', '{"__proto__": {"admin": true}}', '\u0000']) {
      const res = await api(server.url, 'POST', '/api/auth/login', { body, headers: { 'content-type': 'application/json' } });
      expect(res.status, body).toBe(400);
      expect(res.body, body).toEqual({ error: { kind: 'bad_request', message: expect.any(String) } });
    }
  });
});

describe('odd queries, paths and headers are client errors, never server errors', async () => {
  const server = await startServer();

  it('answers arrays, objects, huge numbers, bad escapes and unicode in queries and paths with 4xx', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const paths = [
      '/api/users?q=a&q=b',
      '/api/users?q[]=x',
      '/api/users?q[a]=1',
      `/api/users?q=${'9'.repeat(400)}`,
      '/api/users?q=%E0%A4%A',
      '/api/users?q=%F0%9F%98%80%E2%80%AE',
      '/api/users/%E0%A4%A',
      '/api/users/%F0%9F%98%80',
      `/api/users/${'x'.repeat(3000)}`,
      '/api/users/__proto__',
      '/api/auth/me?__proto__[admin]=1',
    ];
    for (const path of paths) {
      const res = await api(server.url, 'GET', path, { token: alice.token });
      expect(res.status, path).toBeGreaterThanOrEqual(200);
      expect(res.status, path).toBeLessThan(500);
      if (res.status >= 400) expect(res.body.error.kind, path).toEqual(expect.any(String));
    }
    // Missing or odd headers: no Host, a bare `Bearer`, an undecodable cookie.
    expect((await rawExchange(server.port, 'GET /api/auth/me HTTP/1.0\r\n\r\n')).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { authorization: 'Bearer ' } })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/auth/me', { headers: { cookie: 'jeco_session=%E0%A4%A; a' } })).status).toBe(401);
    expect((await api(server.url, 'POST', '/api/auth/login', { body: { username: 'x'.repeat(10_000), password: '\u{1F600}'.repeat(100) } })).status).toBe(400);
  });
});

describe('sign-up does not reveal which addresses have accounts', async () => {
  const server = await startServer();

  it('answers a taken email exactly as a new one, keeps the address with its owner and mails the owner', async () => {
    const owner = await registerUser(server.url, 'Owner', { email: 'owner@example.org' });
    const fresh = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'newcomer_1', password, email: 'nobody-yet@example.org' } });
    const taken = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'prober_1', password, email: 'Owner@Example.org' } });
    expect(fresh.status).toBe(201);
    expect(taken.status).toBe(201);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(Object.keys(taken.body.user).sort()).toEqual(Object.keys(fresh.body.user).sort());
    expect(taken.headers.get('set-cookie')).toMatch(/jeco_session=/);
    // Neither account's own view shows an email, so the prober cannot tell either.
    const proberMe = await api(server.url, 'GET', '/api/auth/me', { token: taken.body.token });
    const freshMe = await api(server.url, 'GET', '/api/auth/me', { token: fresh.body.token });
    expect(Object.keys(proberMe.body.user).sort()).toEqual(Object.keys(freshMe.body.user).sort());
    expect(proberMe.body.user).not.toHaveProperty('email');

    const notice = await waitFor(
      async () => {
        for (const file of await readdir(outboxDir(server.dataDir)).catch(() => [])) {
          const text = await readFile(`${outboxDir(server.dataDir)}/${file}`, 'utf8');
          if (text.includes('To: owner@example.org') && text.includes('prober_1')) return text;
        }
        return null;
      },
      { what: 'the notice to the owner' },
    );
    expect(notice).toContain(owner.username);
    // The address stays the owner's: a reset for it is for the owner's account.
    expect((await server.store.getUserByEmail('owner@example.org'))?.id).toBe(owner.id);
    expect((await server.store.getUserByUsername('prober_1'))?.email).toBeNull();
  });

  it('still says when a username is taken (usernames are public)', async () => {
    await registerUser(server.url, 'Taken', {});
    const first = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'same_name', password } });
    const again = await api(server.url, 'POST', '/api/auth/register', { body: { username: 'same_name', password, email: 'else@example.org' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body.error.kind).toBe('username_taken');
  });
});

describe('HTTP timeouts', async () => {
  const server = await startServer({ env: { JECO_HTTP_REQUEST_TIMEOUT_MS: '1500', JECO_HTTP_HEADERS_TIMEOUT_MS: '1000' } });
  const pair = await startDm(server);

  it('cuts slowloris clients (stalled headers, trickled bodies) after the timeout, and keeps answering others', async () => {
    let dropped = 0;
    for (const client of [pair.a, pair.b]) client.socket.on('status', ({ status }: { status: string }) => void (status === 'disconnected' && dropped++));
    const stalledHeaders = await Promise.all(Array.from({ length: 20 }, () => rawConnect(server.port)));
    const trickled = await Promise.all(Array.from({ length: 20 }, () => rawConnect(server.port)));
    for (const c of stalledHeaders) c.socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
    for (const c of trickled) c.socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    // Every 200 ms each sends one more byte, as a slowloris does to look alive.
    const trickle = setInterval(() => {
      for (const c of stalledHeaders) if (!c.socket.destroyed) c.socket.write('a');
      for (const c of trickled) if (!c.socket.destroyed) c.socket.write(' ');
    }, 200);
    try {
      const healthTimes: number[] = [];
      const probe = setInterval(() => {
        const t = Date.now();
        void api(server.url, 'GET', '/healthz').then(() => healthTimes.push(Date.now() - t));
      }, 250);
      const closedAfter = await Promise.all([...stalledHeaders, ...trickled].map((c) => c.closed));
      clearInterval(probe);
      // Headers timeout 1 s, request timeout 1.5 s, checked every 250 ms: all gone by about 2 s
      // (bound left loose for a loaded machine; without the timeouts they stay open for minutes).
      expect(Math.max(...closedAfter)).toBeLessThan(4000);
      expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(900);
      expect(healthTimes.length).toBeGreaterThan(3);
      expect(Math.max(...healthTimes)).toBeLessThan(1000);
      // The cut ones were told why, if they got an answer at all.
      // The chat's WebSockets, open all along, are not requests: the timeouts leave them be.
      await expectUnharmed(server, pair, 'after the slowloris');
      expect(dropped).toBe(0);
      for (const c of [...stalledHeaders, ...trickled]) expect(['', '408']).toContain(/^HTTP\/1\.1 (\d{3})/.exec(c.received())?.[1] ?? c.received());
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('connection cap per address', async () => {
  // 127.0.0.1 (the chat's clients) stands for an exempt reverse proxy; other loopback addresses are other hosts.
  const server = await startServer({ env: { JECO_MAX_CONNECTIONS_PER_ADDRESS: '8', JECO_CONNECTION_CAP_EXEMPT: '127.0.0.1' } });
  const pair = await startDm(server);

  it('refuses the N+1th connection from one address, counting WebSockets, while others still work', async () => {
    for (let round = 0; round < 3; round++) {
      const from = `127.0.0.${10 + round}`;
      // Four idle TCP connections and four accepted WebSockets from one address: the cap of 8.
      const idle = await Promise.all(Array.from({ length: 4 }, () => rawConnect(server.port, { localAddress: from })));
      const sockets = await Promise.all(Array.from({ length: 4 }, () => rawConnect(server.port, { localAddress: from })));
      for (const s of sockets) s.socket.write(upgradeRequest(server.port));
      await waitFor(() => sockets.every((s) => s.received().startsWith('HTTP/1.1 101')), { what: 'the WebSockets to be accepted' });

      const over = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: from, timeoutMs: 2000 });
      expect(over.closed).toBe(true);
      expect(over.text).toBe('');
      await expect(getFrom(server.port, from, '/healthz')).rejects.toThrow();

      // Another address is not affected, nor is the chat, nor an exempt peer holding more than the cap.
      expect(await getFrom(server.port, '127.0.0.99', '/healthz')).toBe(200);
      const exempt = await Promise.all(Array.from({ length: 12 }, () => rawConnect(server.port, { localAddress: '127.0.0.1' })));
      expect(await getFrom(server.port, '127.0.0.1', '/healthz')).toBe(200);
      for (const c of exempt) c.socket.destroy();
      await expectUnharmed(server, pair, `cap round ${round}`);

      // A connection that closes frees its place.
      sockets[0]!.socket.destroy();
      await sockets[0]!.closed;
      await waitFor(async () => (await getFrom(server.port, from, '/healthz').catch(() => 0)) === 200, { what: 'a freed place to be usable' });
      for (const c of [...idle, ...sockets]) c.socket.destroy();
    }
  });
});

describe('/metrics is not public', async () => {
  it('without a token, answers only this machine', async () => {
    const server = await startServer({ env: { JECO_TRUST_PROXY: 'true' } });
    const local = await api(server.url, 'GET', '/metrics');
    expect(local.status).toBe(200);
    expect(local.body).toMatch(/jeco_connections/);
    // Through a trusted proxy the client is the forwarded address.
    const remote = await api(server.url, 'GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(remote.status).toBe(403);
    expect(remote.body.error.kind).toBe('forbidden');
    expect((await api(server.url, 'GET', '/metrics', { headers: { 'x-forwarded-for': 'not an address' } })).status).toBe(403);
  });

  it('with JECO_METRICS_TOKEN, answers only that bearer token, from anywhere', async () => {
    const token = 'a-metrics-token-of-some-length';
    const server = await startServer({ env: { JECO_METRICS_TOKEN: token } });
    expect((await api(server.url, 'GET', '/metrics')).status).toBe(403);
    expect((await api(server.url, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    expect((await api(server.url, 'GET', '/metrics', { headers: { authorization: `Basic ${token}` } })).status).toBe(403);
    const ok = await api(server.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/jeco_documents_loaded/);
  });
});
