import * as Y from 'yjs';
import type { FileRow, Store } from '../store/db/store';
import type { Message } from '#schema/docs/message';
import { roomOfDoc, type DocRef } from '#schema/docs/names';
import { decodeUpdateOnce } from './decodedUpdates';

/** A file row by id, as prefetched for one update; undefined when there is no such file. */
export type FileLookup = (fileId: string) => FileRow | undefined;

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
    for (const struct of decodeUpdateOnce(update).structs) {
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

/**
 * File rows for the guard, read in one query per update that carries attachments. Not
 * cached: a row's `deleted_at` changes when its message is deleted for everyone (on
 * any server of a cluster), and a message may not attach such a file again. Most
 * updates carry no attachment and cost no query.
 */
export class AttachmentFiles {
  constructor(private readonly store: Store) {}

  async prefetch(ids: readonly string[]): Promise<FileLookup> {
    if (ids.length === 0) return () => undefined;
    const rows = new Map((await this.store.getFiles(ids)).map((row) => [row.id, row]));
    return (id) => rows.get(id);
  }
}

/**
 * Why a message's attachment is refused, or null when it is fine (or absent): the file
 * must exist, not be deleted for everyone, have been uploaded to this room by the
 * message's author, and be what the message says it is (size and type), so nobody can
 * show someone else's file, or a file from another chat, under their own name, nor
 * bring back a file its message took away from everyone.
 */
export function attachmentProblem(message: { authorId: string; attachment?: Message['attachment'] }, ref: DocRef, files: FileLookup | undefined): string | null {
  const attachment = message.attachment;
  if (!attachment) return null;
  const file = files?.(attachment.fileId);
  if (!file) return 'unknown file';
  if (file.deletedAt !== null) return 'deleted file';
  if (file.uploaderId !== message.authorId) return 'not the uploader';
  if (file.roomId !== roomOfDoc(ref)?.id) return 'another room';
  if (file.size !== attachment.size || file.mime !== attachment.mime) return 'size or type';
  return null;
}
