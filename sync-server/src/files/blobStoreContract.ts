/**
 * The blob store contract: every {@link BlobStore} runs these numbered rules (the disk
 * store now, an S3-compatible one later), so callers can rely on them whichever is
 * configured. A failing test names its rule.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blobStore';

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Registers the contract; `open` hands back a store over empty storage, `close` releases it. */
export function runBlobStoreContract(name: string, open: () => Promise<BlobStore>, close: (store: BlobStore) => Promise<void>): void {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    let scratch: string;

    beforeEach(async () => {
      store = await open();
      scratch = await mkdtemp(path.join(os.tmpdir(), 'jeco-blob-src-'));
    });
    afterEach(async () => {
      await close(store);
      await rm(scratch, { recursive: true, force: true });
    });

    async function source(bytes: Buffer): Promise<string> {
      const file = path.join(scratch, randomBytes(8).toString('hex'));
      await writeFile(file, bytes);
      return file;
    }

    it('1. putFile names the blob by its SHA-256, records its size, consumes the source, and read gives the bytes back', async () => {
      const bytes = randomBytes(300_000);
      const file = await source(bytes);
      const info = await store.putFile(file);
      expect(info).toEqual({ sha256: sha256(bytes), size: bytes.length });
      expect(existsSync(file)).toBe(false);
      expect(await store.size(info.sha256)).toBe(bytes.length);
      expect((await bytesOf(await store.read(info.sha256)))?.equals(bytes)).toBe(true);
    });

    it('2. the same bytes put twice are one blob; deleting it removes it for both', async () => {
      const bytes = randomBytes(1000);
      const first = await store.putFile(await source(bytes));
      const second = await store.putFile(await source(bytes));
      expect(second).toEqual(first);
      expect((await bytesOf(await store.read(first.sha256)))?.equals(bytes)).toBe(true);
      await store.delete(first.sha256);
      expect(await store.size(first.sha256)).toBeNull();
      expect(await store.read(first.sha256)).toBeNull();
    });

    it('3. read with an inclusive range gives exactly those bytes', async () => {
      const bytes = randomBytes(10_000);
      const { sha256: name } = await store.putFile(await source(bytes));
      expect((await bytesOf(await store.read(name, { start: 0, end: 0 })))?.equals(bytes.subarray(0, 1))).toBe(true);
      expect((await bytesOf(await store.read(name, { start: 4096, end: 9999 })))?.equals(bytes.subarray(4096))).toBe(true);
    });

    it('4. unknown or malformed names are absent, never an error or a path', async () => {
      expect(await store.size('0'.repeat(64))).toBeNull();
      expect(await store.read('0'.repeat(64))).toBeNull();
      expect(await store.size('../../etc/passwd')).toBeNull();
      expect(await store.read('../../etc/passwd')).toBeNull();
      await expect(store.delete('../x')).resolves.toBeUndefined();
      await expect(store.delete('0'.repeat(64))).resolves.toBeUndefined();
    });

    it('5. an empty file is a blob too', async () => {
      const info = await store.putFile(await source(Buffer.alloc(0)));
      expect(info.size).toBe(0);
      expect((await bytesOf(await store.read(info.sha256)))?.length).toBe(0);
    });
  });
}
