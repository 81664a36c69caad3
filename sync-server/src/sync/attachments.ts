import * as Y from 'yjs';
import type { FileRow, Store } from '../store/db/store';
import type { Message } from '../../../schema/docs/message';
import { roomOfDoc, type DocRef } from '../../../schema/docs/names';

/** A file row by id, as prefetched for one update; undefined when there is no such file. */
export type FileLookup = (fileId: string) => FileRow | undefined;

/** Rows kept between updates; what the guard reads of a row (room, uploader, size, type) never changes, so a cached one is never stale for it. */
const CACHE_ROWS = 10_000;
/** More attachments than this in one update is not a person sending files; the guard's size bound refuses it anyway. */
const MAX_IDS_PER_UPDATE = 500;

/**
 * The file ids named by `attachment` fields of objects an update inserts. The guard is
 * synchronous, the store is not, so `guard.ts` reads these rows before checking the
 * update; a malformed update yields none (the guard refuses it on its own).
 */
export function attachmentIdsOf(update: Uint8Array): string[] {
  const ids = new Set<string>();
  try {
    for (const struct of Y.decodeUpdate(update).structs) {
      if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
      for (const value of struct.content.arr) {
        const fileId = (value as { attachment?: { fileId?: unknown } } | null)?.attachment?.fileId;
        if (typeof fileId === 'string' && fileId.length <= 64) ids.add(fileId);
        if (ids.size >= MAX_IDS_PER_UPDATE) return [...ids];
      }
    }
  } catch {
    return [];
  }
  return [...ids];
}

/** File rows for the guard, read in one query per update and cached. */
export class AttachmentFiles {
  private readonly cache = new Map<string, FileRow>();

  constructor(private readonly store: Store) {}

  async prefetch(ids: readonly string[]): Promise<FileLookup> {
    const missing = ids.filter((id) => !this.cache.has(id));
    // Most updates carry no attachment and cost no query. A miss is not cached: the
    // upload may finish a moment later.
    for (const row of missing.length > 0 ? await this.store.getFiles(missing) : []) {
      if (this.cache.size >= CACHE_ROWS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(row.id, row);
    }
    return (id) => this.cache.get(id);
  }
}

/**
 * Why a message's attachment is refused, or null when it is fine (or absent): the file
 * must exist, have been uploaded to this room by the message's author, and be what
 * the message says it is (size and type), so nobody can show someone else's file, or
 * a file from another chat, under their own name.
 */
export function attachmentProblem(message: { authorId: string; attachment?: Message['attachment'] }, ref: DocRef, files: FileLookup | undefined): string | null {
  const attachment = message.attachment;
  if (!attachment) return null;
  const file = files?.(attachment.fileId);
  if (!file) return 'unknown file';
  if (file.uploaderId !== message.authorId) return 'not the uploader';
  if (file.roomId !== roomOfDoc(ref)?.id) return 'another room';
  if (file.size !== attachment.size || file.mime !== attachment.mime) return 'size or type';
  return null;
}
