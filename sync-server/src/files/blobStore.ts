import type { Readable } from 'node:stream';

/** What {@link BlobStore.putFile} stored: the blob's name (its SHA-256, hex) and size. */
export interface BlobInfo {
  sha256: string;
  size: number;
}

/** An inclusive byte range, as HTTP ranges are. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file contents live, addressed by their SHA-256: the same bytes are stored once
 * however often they are uploaded. Callers never see paths, so an S3-compatible store
 * can replace the disk one; every implementation passes `blobStoreContract.ts`.
 */
export interface BlobStore {
  /**
   * Takes the local file at `sourcePath` into storage and removes it (a rename when it
   * can be). Storing bytes that are already stored keeps the one copy.
   */
  putFile(sourcePath: string): Promise<BlobInfo>;
  /** The stored size, or null if there is no such blob. */
  size(sha256: string): Promise<number | null>;
  /** Streams the blob, or `range` of it; null if there is no such blob. */
  read(sha256: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes the blob; removing a missing one is not an error. */
  delete(sha256: string): Promise<void>;
}

/** A blob name is 64 lowercase hex digits; anything else never reaches a path. */
export function isBlobName(sha256: string): boolean {
  return /^[0-9a-f]{64}$/.test(sha256);
}
