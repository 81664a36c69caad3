// Long on purpose: one seeded fuzzer, its input generators and the one test that drives them from the same random source.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as encoding from 'lib0/encoding';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { appendMessage } from '#schema/docs/bucket';
import { api, registerUser, type TestUser } from '../helpers/api';
import { message, startDm, texts, type DmPair } from '../helpers/dm';
import { rawConnect, rawExchange, upgradeRequest } from '../helpers/rawHttp';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/waitFor';

/**
 * Seeded fuzz of everything that reaches the server from the network before a handler
 * owns it: hand-written `/sync` handshakes with random headers, random bytes and frames
 * on accepted sockets, and random methods, paths, headers and bodies at every route —
 * while Alice and Bob chat over real providers. The server must never throw past a
 * handler (vitest fails the file on any uncaught exception or unhandled rejection),
 * never answer 5xx, answer health fast throughout, and the chat must not notice.
 *
 * `JECO_FUZZ_SEED=<seed>` runs one seed, `JECO_FUZZ_STEPS=<n>` changes its length.
 */
const SEEDS = process.env.JECO_FUZZ_SEED ? [process.env.JECO_FUZZ_SEED] : ['net-1', 'net-2', 'net-3'];
const STEPS = Number(process.env.JECO_FUZZ_STEPS ?? 120);
/** Fuzz traffic comes from its own loopback address, as another host would. */
const FUZZ_ADDRESS = '127.0.0.2';

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

const ROUTES = [
  '/api/auth/register',
  '/api/auth/login',
  '/api/auth/logout',
  '/api/auth/me',
  '/api/auth/password-reset',
  '/api/auth/password-reset/confirm',
  '/api/users',
  '/api/users/u_0000000000000000',
  '/api/users/%E2%80%AE',
  '/api/nothing',
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
  '/index.html',
  '/assets/app.js',
  '/assets/',
  '/assets/%2e%2e%2findex.html',
  '/chat/somewhere',
  '/sync',
  '/assets/../../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%',
  '/%00',
  '//evil.example/x',
  `/api/users/${'x'.repeat(3000)}`,
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'G\u00e9T'];
const QUERIES = ['', '?q=a&q=b', '?q[]=x', '?q[a]=1', '?q=%E0%A4%A', '?q=\u{1F600}', `?q=${'9'.repeat(400)}`, '?__proto__[x]=1', '?constructor=1', `?q=${'%00'.repeat(20)}`, '?thumb=1e309'];

/** A string of one of the kinds that break naive code. */
function oddString(rng: Rng): string {
  switch (int(rng, 12)) {
    case 0:
      return '';
    case 1:
      return 'null';
    case 2:
      return 'x'.repeat(int(rng, 5000));
    case 3:
      return '\u202e\u0000\ud800\uffff\u{1F600}';
    case 4:
      return String(10 ** int(rng, 400));
    case 5:
      return `%E0%A4%A${'%'.repeat(int(rng, 5))}`;
    case 6:
      return `http://${'a'.repeat(int(rng, 300))}`;
    case 7:
      return '__proto__';
    case 8:
      return 'a b\tc';
    case 9:
      return Array.from({ length: int(rng, 40) }, () => String.fromCharCode(0x20 + int(rng, 0x5f))).join('');
    case 10:
      return Array.from({ length: int(rng, 20) }, () => String.fromCharCode(0x80 + int(rng, 0x80))).join('');
    default:
      return `user.name_${int(rng, 1000)}`;
  }
}

/** A header value that may or may not survive Node's parser (no CR/LF: that would end the header). */
function headerValue(rng: Rng): string {
  return oddString(rng).replace(/[\r\n]/g, '');
}

function headerName(rng: Rng): string {
  return pick(rng, [
    'origin',
    'host',
    'cookie',
    'authorization',
    'content-type',
    'content-length',
    'transfer-encoding',
    'x-forwarded-for',
    'x-forwarded-host',
    'sec-websocket-key',
    'sec-websocket-version',
    'sec-websocket-extensions',
    'sec-websocket-protocol',
    'upgrade',
    'connection',
    'expect',
    `x-${int(rng, 100)}`,
    'bad header',
    'b\u00e4d',
    '',
  ]);
}

function jsonValue(rng: Rng, depth = 0): unknown {
  switch (int(rng, depth > 2 ? 5 : 8)) {
    case 0:
      return oddString(rng);
    case 1:
      return pick(rng, [0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.1, -1]);
    case 2:
      return null;
    case 3:
      return rng() < 0.5;
    case 4:
      return 'correct horse battery';
    case 5:
      return Array.from({ length: int(rng, 4) }, () => jsonValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(rng, 4) }, () => [pick(rng, ['username', 'password', 'email', 'token', 'displayName', 'q', 'id', '__proto__', 'constructor']), jsonValue(rng, depth + 1)]),
      );
  }
}

function body(rng: Rng): string {
  switch (int(rng, 8)) {
    case 0:
      return '';
    case 1:
      return '['.repeat(20_000) + ']'.repeat(20_000);
    case 2:
      return '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}';
    case 3:
      return oddString(rng);
    case 4:
      return JSON.stringify({ username: oddString(rng), password: oddString(rng) });
    case 5:
      return JSON.stringify({ email: pick(rng, ['owner@example.org', oddString(rng)]) });
    default:
      return JSON.stringify(jsonValue(rng));
  }
}

/** One hand-written HTTP request to a route. */
function httpRequest(rng: Rng, port: number, tokens: string[]): string {
  // Half the requests are well-formed HTTP, so that they reach the routes' own code.
  const wellFormed = rng() < 0.5;
  const method = wellFormed ? pick(rng, ['GET', 'POST', 'POST', 'DELETE', 'HEAD']) : pick(rng, METHODS);
  const path = pick(rng, ROUTES) + pick(rng, QUERIES);
  const payload = rng() < 0.6 ? body(rng) : '';
  const headers: [string, string][] = [['host', wellFormed || rng() < 0.7 ? `127.0.0.1:${port}` : headerValue(rng)]];
  if (rng() < 0.7)
    headers.push([
      'content-type',
      pick(rng, [
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        headerValue(rng),
      ]),
    ]);
  if (rng() < 0.4) headers.push(['origin', pick(rng, ['null', `http://127.0.0.1:${port}`, 'https://evil.example', headerValue(rng)])]);
  if (rng() < 0.5) headers.push(['authorization', pick(rng, [`Bearer ${pick(rng, tokens)}`, `Bearer ${tokens[0]}`, `Bearer ${headerValue(rng)}`, 'Bearer ', headerValue(rng)])]);
  if (rng() < 0.3) headers.push(['cookie', pick(rng, [`jeco_session=${pick(rng, tokens)}`, `jeco_session=${headerValue(rng)}`, headerValue(rng), 'jeco_session=%E0%A4%A; a=b'])]);
  if (!wellFormed) for (let i = int(rng, 3); i > 0; i--) headers.push([headerName(rng), headerValue(rng)]);
  if (payload && (wellFormed || rng() < 0.9)) headers.push(['content-length', String(Buffer.byteLength(payload, 'latin1') - (!wellFormed && rng() < 0.1 ? 1 : 0))]);
  headers.push(['connection', 'close']);
  return `${method} ${path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${payload}`;
}

/** A `/sync` handshake with random headers added, replaced or left out. */
function syncHandshake(rng: Rng, port: number, tokens: string[]): string {
  const headers: Record<string, string | null> = {};
  // Half keep to what a parser lets through, so that they reach Jeco's own checks.
  if (rng() < 0.5) for (let i = 1 + int(rng, 4); i > 0; i--) headers[headerName(rng)] = rng() < 0.2 ? null : headerValue(rng);
  // biome-ignore lint/suspicious/noDuplicateElseIf: each rng() call draws anew
  else if (rng() < 0.5) headers.cookie = `jeco_session=${pick(rng, tokens)}`;
  if (rng() < 0.3) headers.origin = pick(rng, ['null', `http://127.0.0.1:${port}`, 'file://', 'https://evil.example']);
  return upgradeRequest(port, headers, rng() < 0.85 ? `/sync${pick(rng, QUERIES)}` : pick(rng, ROUTES));
}

/** A client-to-server WebSocket frame (masked, as clients must), or one that breaks the rules. */
function frame(rng: Rng, payload: Uint8Array): Buffer {
  const opcode = pick(rng, [0x2, 0x2, 0x2, 0x1, 0x0, 0x9, 0x8, 0x3]);
  const masked = rng() < 0.9;
  const head = [(rng() < 0.95 ? 0x80 : 0) | opcode];
  if (payload.length < 126) head.push((masked ? 0x80 : 0) | payload.length);
  else head.push((masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff);
  const mask = [int(rng, 256), int(rng, 256), int(rng, 256), int(rng, 256)];
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4]! : b)));
  return Buffer.concat([Buffer.from(head), masked ? Buffer.from(mask) : Buffer.alloc(0), body]);
}

/** Bytes shaped like a Hocuspocus message (doc name, type, then anything), or plain noise. */
function syncMessage(rng: Rng, docNames: string[], tokens: string[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, rng() < 0.6 ? pick(rng, docNames) : oddString(rng));
  const type = int(rng, 12);
  encoding.writeVarUint(encoder, type);
  if (type === 2 && rng() < 0.7) {
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarString(encoder, pick(rng, tokens));
  } else {
    for (let i = int(rng, 200); i > 0; i--) encoding.writeUint8(encoder, int(rng, 256));
  }
  return encoding.toUint8Array(encoder);
}

function randomBytes(rng: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => int(rng, 256)));
}

interface Finding {
  step: number;
  what: string;
  status: number;
  request: string;
}

/** One fuzz step; returns a finding when the server answered 5xx. */
async function fuzzStep(rng: Rng, step: number, server: TestServer, tokens: string[], docNames: string[]): Promise<Finding | null> {
  const kind = int(rng, 10);
  if (kind < 5) {
    const request = httpRequest(rng, server.port, tokens);
    const res = await rawExchange(server.port, request, { localAddress: FUZZ_ADDRESS, timeoutMs: 1500 });
    return res.status !== null && res.status >= 500 ? { step, what: 'http', status: res.status, request: request.slice(0, 400) } : null;
  }
  if (kind < 6) {
    const bytes = randomBytes(rng, 1 + int(rng, 300));
    const res = await rawExchange(server.port, bytes, { localAddress: FUZZ_ADDRESS, timeoutMs: 300 });
    return res.status !== null && res.status >= 500 ? { step, what: 'bytes', status: res.status, request: bytes.toString('hex').slice(0, 400) } : null;
  }
  const handshake = syncHandshake(rng, server.port, tokens);
  const connection = await rawConnect(server.port, { localAddress: FUZZ_ADDRESS });
  connection.socket.write(Buffer.from(handshake, 'latin1'));
  await Promise.race([connection.closed, waitFor(() => /\r\n\r\n/.test(connection.received()), { timeoutMs: 1000 }).catch(() => null)]);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(connection.received());
  if (status && Number(status[1]) >= 500) {
    connection.socket.destroy();
    return { step, what: 'handshake', status: Number(status[1]), request: handshake.slice(0, 400) };
  }
  if (status?.[1] === '101') {
    for (let i = 1 + int(rng, 6); i > 0 && !connection.socket.destroyed; i--) {
      connection.socket.write(rng() < 0.15 ? randomBytes(rng, 1 + int(rng, 50)) : frame(rng, syncMessage(rng, docNames, tokens)));
      await new Promise((r) => setTimeout(r, int(rng, 20)));
    }
  }
  if (rng() < 0.5) connection.socket.resetAndDestroy();
  else connection.socket.destroy();
  return null;
}

/** A stand-in for the built web app, so the static files and the client-side route fallback are fuzzed too. */
async function webAppDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-fuzz-app-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Jeco</title>');
  await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('seeded fuzz of the HTTP routes and the /sync handshake while people chat', async () => {
  // The fuzz comes from 127.0.0.2, under the connection cap like any other host; the chat from 127.0.0.1.
  const server = await startServer({ env: { JECO_STATIC_DIR: await webAppDir(), JECO_CONNECTION_CAP_EXEMPT: '127.0.0.1' } });
  const pair: DmPair = await startDm(server);
  const mallory: TestUser = await registerUser(server.url, 'Mallory');
  await registerUser(server.url, 'Owner', { email: 'owner@example.org' });

  it.each(SEEDS)('seed %s: no 5xx, health answers fast, the chat never notices', async (seed) => {
    const rng = seedrandom(seed);
    const tokens = [mallory.token, pair.alice.token.slice(0, 10), 'x'.repeat(32)];
    const docNames = [`inbox/${mallory.id}`, `inbox/${pair.alice.id}`, `room/${pair.room}`, `room/${pair.room}/0`, `room/dm.${mallory.id}.${pair.alice.id}`, 'room/g.x', ''];

    // Watches without handling: a listener for 'uncaughtException' itself would change what an escape does.
    const escaped: unknown[] = [];
    const onEscape = (error: unknown) => escaped.push(error);
    process.on('uncaughtExceptionMonitor', onEscape);
    let disconnected = 0;
    const onStatus = ({ status }: { status: string }) => {
      if (status === 'disconnected') disconnected++;
    };
    pair.a.socket.on('status', onStatus);
    pair.b.socket.on('status', onStatus);
    const sent: string[] = [];
    const replies: string[] = [];
    const healthMs: number[] = [];
    let healthFailures = 0;
    let chatting = true;
    const chat = (async () => {
      for (let i = 0; chatting; i++) {
        const text = `${seed} message ${i}`;
        appendMessage(pair.aBucket.doc, message(pair.alice.id, text));
        sent.push(text);
        if (i % 5 === 0) {
          appendMessage(pair.bBucket.doc, message(pair.bob.id, `${seed} reply ${i}`));
          replies.push(`${seed} reply ${i}`);
        }
        const started = Date.now();
        const health = await api(server.url, 'GET', '/healthz').catch(() => null);
        if (health?.status === 200) healthMs.push(Date.now() - started);
        else healthFailures++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const findings: Finding[] = [];
    try {
      for (let step = 0; step < STEPS; step++) {
        const finding = await fuzzStep(rng, step, server, tokens, docNames);
        if (finding) findings.push(finding);
      }
    } finally {
      chatting = false;
      await chat;
      pair.a.socket.off('status', onStatus);
      pair.b.socket.off('status', onStatus);
      process.off('uncaughtExceptionMonitor', onEscape);
    }

    expect(escaped).toEqual([]);
    expect(findings).toEqual([]);
    expect(healthFailures).toBe(0);
    expect(healthMs.length).toBeGreaterThan(5);
    // Generous for a shared machine; a stalled event loop takes seconds.
    expect(Math.max(...healthMs)).toBeLessThan(1000);
    await waitFor(() => sent.every((t) => texts(pair.bBucket.doc).includes(t)), { what: 'Bob to receive every message' });
    await waitFor(() => replies.every((t) => texts(pair.aBucket.doc).includes(t)), { what: 'Alice to receive every reply' });
    expect(disconnected).toBe(0);
    await pair.a.settled();
    await pair.b.settled();
  });
});
