/**
 * Upload and download throughput of one file through Jeco on loopback, against `cp` of
 * the same file measured in the same run:
 *
 *   npm run bench:files                      # print the table
 *   npm run bench:files -- --write           # also replace this section of docs/benchmarks.md
 *   options: --mb 100 --repeats 3
 *
 * The real server runs in this process on a fresh SQLite data dir. The upload is the
 * web app's: tus-js-client with the same 5 MiB chunks; its time includes what the
 * server does at the end (type detection, hashing into the blob store). The download
 * is a streamed `GET /api/files/:id` written to disk. Random bytes, so no type is found
 * and nothing is re-encoded. Each figure is the median of the repeats.
 *
 * Then two people in Chromium (the built client, served by the same server): from
 * Alice's click on Send with a photo chosen to the moment Bob's open chat shows its
 * thumbnail loaded (upload, re-encoding and thumbnail on the server, the message's sync,
 * the thumbnail's download). `--photos 5` sets how many.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import * as tus from 'tus-js-client';
import { SESSION_COOKIE } from '#schema/api/auth';
import type { AuthResponse } from '#schema/api/auth';
import type { Attachment } from '#schema/docs/message';
import { dmRoomId, type UserId } from '#schema/ids';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, clientRevision, serve } from './benchServer';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## Files: upload and download throughput';
/** The web app's chunk size (client/src/files/uploadFile.ts). */
const CHUNK_BYTES = 5 * 1024 * 1024;

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '100' }, repeats: { type: 'string', default: '3' }, photos: { type: 'string', default: '5' }, write: { type: 'boolean', default: false } },
});
const megabytes = Number(values.mb);
const repeats = Number(values.repeats);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = async (work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};

async function register(url: string, name: string): Promise<{ id: UserId; token: string; username: string }> {
  const username = `${name}${Date.now().toString(36)}`;
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'bench password 1', displayName: name }),
  });
  const body = (await res.json()) as AuthResponse;
  return { id: body.user.id as UserId, token: body.token, username };
}

/** A 3000×2000 JPEG like a phone's photo (a few MB): a gradient under noise, different each time. */
function phonePhoto(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 110 + seed, sigma: 30 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * Milliseconds from Alice's Send to Bob's thumbnail shown, for each of `count` photos.
 * Both pages run on this machine, so their `Date.now()` clocks agree.
 */
async function sendToThumbnail(
  serverUrl: string,
  alice: { token: string },
  bob: { token: string; username: string },
  count: number,
): Promise<{ times: number[]; chromium: string; photoBytes: number }> {
  await buildClientIfStale();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const open = async (token: string): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
      // tsx wraps inner functions in `__name(…)` calls, which the page does not define.
      await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: serverUrl }]);
      const page = await context.newPage();
      await page.goto(serverUrl);
      await page.getByTestId('me-name').waitFor();
      return page;
    };
    const [a, b] = [await open(alice.token), await open(bob.token)];
    await a.getByTestId('new-chat').click();
    await a.getByTestId('user-search').fill(bob.username.slice(0, -1));
    await a.locator(`[data-testid="user-result"][data-username="${bob.username}"]`).click();
    await a.getByTestId('chat-view').waitFor();
    await a.getByTestId('composer').fill('photos coming');
    await a.getByTestId('composer').press('Enter');
    await b.getByTestId('chat-list-item').first().click();
    await b.getByTestId('chat-view').waitFor();
    const times: number[] = [];
    let photoBytes = 0;
    for (let i = 0; i < count; i++) {
      const photo = await phonePhoto(i);
      photoBytes = photo.length;
      // Bob's page notes when one more thumbnail than now has loaded.
      const shown = b.evaluate(
        (before) =>
          new Promise<number>((resolve) => {
            const check = () => {
              const loaded = [...document.querySelectorAll<HTMLImageElement>('[data-testid="attachment-image"] img')].filter((img) => img.complete && img.naturalWidth > 0);
              if (loaded.length > before) resolve(Date.now());
              else requestAnimationFrame(check);
            };
            check();
          }),
        i,
      );
      await a.getByTestId('file-input').setInputFiles([{ name: `photo-${i}.jpg`, mimeType: 'image/jpeg', buffer: photo }]);
      const sentAt = await a.evaluate(() => {
        const at = Date.now();
        document.querySelector<HTMLButtonElement>('[data-testid="send"]')!.click();
        return at;
      });
      times.push((await shown) - sentAt);
    }
    return { times, chromium: browser.version(), photoBytes };
  } finally {
    await browser.close();
  }
}

function upload(url: string, token: string, bytes: Buffer, roomId: string): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    new tus.Upload(bytes, {
      endpoint: `${url}/api/files/tus`,
      headers: { authorization: `Bearer ${token}` },
      metadata: { roomId, name: 'bench.bin' },
      chunkSize: CHUNK_BYTES,
      storeFingerprintForResuming: false,
      onSuccess: ({ lastResponse }) => resolve((JSON.parse(lastResponse.getBody()) as { attachment: Attachment }).attachment),
      onError: reject,
    }).start();
  });
}

async function main(): Promise<void> {
  const began = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-files-'));
  const server = await serve({ dataDir: path.join(dir, 'data'), env: { JECO_MAX_UPLOAD_BYTES: String((megabytes + 1) * 2 ** 20), JECO_UPLOADS_PER_MIN: '1000' } });
  try {
    const source = path.join(dir, 'source.bin');
    await writeFile(source, randomBytes(megabytes * 2 ** 20));
    const bytes = await readFile(source);
    const alice = await register(server.url, 'alice');
    const bob = await register(server.url, 'bob');
    const room = dmRoomId(alice.id, bob.id);

    const cp: number[] = [];
    const up: number[] = [];
    const down: number[] = [];
    for (let i = 0; i < repeats; i++) {
      cp.push(await seconds(async () => execFileSync('cp', [source, path.join(dir, `copy-${i}.bin`)])));
      await rm(path.join(dir, `copy-${i}.bin`));
      // A fresh byte each time, so the blob store does not find it already stored.
      bytes[0] = i;
      let attachment!: Attachment;
      up.push(await seconds(async () => (attachment = await upload(server.url, alice.token, bytes, room))));
      const target = path.join(dir, `download-${i}.bin`);
      down.push(
        await seconds(async () => {
          const res = await fetch(`${server.url}/api/files/${attachment.fileId}`, { headers: { authorization: `Bearer ${bob.token}` } });
          await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(target));
        }),
      );
      await rm(target);
    }
    const thumbnails = await sendToThumbnail(server.url, alice, bob, Number(values.photos));
    const mbps = (s: number) => (megabytes / s).toFixed(0);
    const row = (what: string, s: number) => `| ${what} | ${s.toFixed(2)} s | ${mbps(s)} MiB/s | ${(s / median(cp)).toFixed(1)}× |`;
    const cpu = os.cpus();
    const section = [
      HEADING,
      '',
      `One ${megabytes} MiB file of random bytes on loopback, the real server in-process on SQLite; median of ${repeats} (\`npm run bench:files\`, \`scripts/bench/files.ts\`). The baseline is \`cp\` of the same file on the same disk, measured in the same run.`,
      '',
      '| | time | throughput | vs cp |',
      '| --- | --- | --- | --- |',
      row('`cp` (baseline)', median(cp)),
      row('upload (tus-js-client, 5 MiB chunks, until stored)', median(up)),
      row('download (`GET /api/files/:id`, streamed to disk)', median(down)),
      '',
      `From Send to the receiver's thumbnail shown, two people in Chromium ${thumbnails.chromium} (${clientRevision()}), a ${(thumbnails.photoBytes / 2 ** 20).toFixed(1)} MiB 3000×2000 JPEG each time, ${thumbnails.times.length} photos: median ${median(thumbnails.times)} ms, slowest ${Math.max(...thumbnails.times)} ms (each: ${thumbnails.times.join(', ')} ms). It covers the upload, the server's re-encoding and thumbnail (sharp), the message's sync and the thumbnail's download.`,
      '',
      `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, shared with other work. Run took ${((Date.now() - began) / 1000).toFixed(0)} s.`,
      '',
    ].join('\n');
    console.log(section);
    if (values.write) await writeBenchmarkSection(section);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
