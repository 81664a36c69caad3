import { readFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { dmRoomId } from '#schema/ids';
import { registerUser } from '../helpers/api';
import { freePort, startServerProcess } from '../helpers/serverProcess';

const MB = 1024 * 1024;
const GB = 1024 * MB;
/** What the server may grow by while it takes a 1 GB upload: a few MB, nowhere near the file. */
const MAX_RSS_GROWTH_BYTES = 16 * MB;
/** 1 GB on loopback, written to disk and hashed: about 5 s here, on 2 busy cores. */
const TEST_TIMEOUT_MS = 60_000;

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The resident set size of a process, in bytes, as the kernel counts it. */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

/**
 * `bytes` of data made on the fly, a 1 MB block over and over: the test never holds the
 * file. Text with no file signature, so the server's sniffing calls it what its name
 * says: random bytes began like an MP3 frame once in a while, and the upload came back
 * as `audio/mpeg`.
 */
function generated(bytes: number): Readable {
  const block = Buffer.alloc(MB, 'a 1 GB upload, streamed; ');
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < bytes; sent += block.length) yield sent + block.length <= bytes ? block : block.subarray(0, bytes - sent);
    })(),
  );
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * One tus upload as the protocol goes (create, then one PATCH with the whole body,
 * streamed), so the test sends a file far larger than it would want in memory.
 * Resolves with the final answer's status and body.
 */
async function streamUpload(baseUrl: string, token: string, roomId: string, name: string, bytes: number): Promise<{ status: number; body: string }> {
  const created = await fetch(`${baseUrl}/api/files/tus`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(bytes), 'upload-metadata': `roomId ${b64(roomId)},name ${b64(name)}` },
  });
  if (created.status !== 201) return { status: created.status, body: await created.text() };
  const location = new URL(created.headers.get('location')!, baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(location, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(bytes) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    generated(bytes).pipe(request);
  });
}

describe('files: memory', () => {
  it(
    'a 1 GB upload streams to disk: the server’s resident memory grows by a few MB at most',
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-upload-rss-'));
      dirs.push(dataDir);
      const server = await startServerProcess({
        dataDir,
        port: await freePort(),
        env: { JECO_MAX_UPLOAD_BYTES: String(2 * GB), JECO_UPLOAD_QUOTA_BYTES: String(4 * GB) },
      });
      const alice = await registerUser(server.url, 'Alice');
      const bob = await registerUser(server.url, 'Bob');
      const room = dmRoomId(alice.id, bob.id);
      // A first, smaller upload loads and warms everything an upload uses, so what follows measures the body alone.
      const warm = await streamUpload(server.url, alice.token, room, 'warm.bin', 64 * MB);
      expect(warm.status).toBe(200);
      const before = await rssOf(server.pid);

      let peak = before;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, await rssOf(server.pid));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const started = performance.now();
      const result = await streamUpload(server.url, alice.token, room, 'big.bin', GB);
      const seconds = (performance.now() - started) / 1000;
      sampling = false;
      await sampler;

      expect(result.status, result.body).toBe(200);
      expect(JSON.parse(result.body).attachment).toMatchObject({ name: 'big.bin', size: GB, mime: 'application/octet-stream' });
      const growth = peak - before;
      console.log(`1 GB upload in ${seconds.toFixed(1)} s; server RSS ${(before / MB).toFixed(1)} MB before, peak ${(peak / MB).toFixed(1)} MB (+${(growth / MB).toFixed(1)} MB)`);
      expect(growth).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    },
    TEST_TIMEOUT_MS,
  );
});
