import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isBlobName, type BlobInfo, type BlobStore, type ByteRange } from './blobStore';

/**
 * Blobs as files under `root`, named by their SHA-256 and fanned out by its first two
 * bytes (`ab/cd/abcd…`) so that no one directory holds every file. A blob is complete
 * before it gets its name (rename is atomic), so a reader never sees half a file.
 */
export class DiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!isBlobName(sha256)) throw new Error(`not a blob name: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async putFile(sourcePath: string): Promise<BlobInfo> {
    const hash = createHash('sha256');
    // Streamed: a 100 MB upload is hashed without holding it in memory.
    await pipeline(createReadStream(sourcePath), hash);
    const sha256 = hash.digest('hex');
    const { size } = await stat(sourcePath);
    const target = this.pathOf(sha256);
    if ((await this.size(sha256)) !== null) {
      await rm(sourcePath, { force: true });
      return { sha256, size };
    }
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(sourcePath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another filesystem: copy beside the target, then rename, so the name still appears whole.
      const temp = `${target}.${randomUUID()}.tmp`;
      await copyFile(sourcePath, temp);
      await rename(temp, target);
      await rm(sourcePath, { force: true });
    }
    return { sha256, size };
  }

  async size(sha256: string): Promise<number | null> {
    if (!isBlobName(sha256)) return null;
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable | null> {
    if ((await this.size(sha256)) === null) return null;
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }

  async delete(sha256: string): Promise<void> {
    if (!isBlobName(sha256)) return;
    await rm(this.pathOf(sha256), { force: true });
  }
}
