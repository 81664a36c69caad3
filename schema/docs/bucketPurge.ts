import * as Y from 'yjs';
import type { MessageId, UserId } from '../ids';
import { BUCKET, deletionSchema, editSchema, indexOfMessage } from './bucket';
import { messageSchema, type Message } from './message';

// Deleted means deleted: the server's in-place replacement of what edits, deletions for everyone and disappearing messages hide (`bucket.ts` holds the bucket itself).

function messagesArray(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray(BUCKET.messages);
}

/**
 * The copy of a message that keeps only what its overlays still show: for a message
 * deleted for everyone, its id, author and time with empty text and the `deleted`
 * marker (no reply, mentions or attachment); for an edited one, the message with the
 * latest edit's text. Null when the stored message holds nothing hidden any more, and
 * for system lines, whose words are the server's and hold nothing of anyone's.
 */
export function purgedCopy(message: Message, overlay: { deleted: boolean; editedText?: string }): Message | null {
  if (message.event !== undefined) return null;
  if (overlay.deleted) {
    if (message.deleted) return null;
    return { id: message.id, authorId: message.authorId, createdAt: message.createdAt, text: '', deleted: true };
  }
  if (overlay.editedText === undefined || overlay.editedText === message.text) return null;
  return { ...message, text: overlay.editedText };
}

function overlayOf(doc: Y.Doc, id: string): { deleted: boolean; editedText?: string } {
  const deleted = deletionSchema.safeParse(doc.getMap(BUCKET.deletions).get(id)).success;
  const editedText = editSchema.safeParse(doc.getMap(BUCKET.edits).get(id)).data?.text;
  return editedText === undefined ? { deleted } : { deleted, editedText };
}

/**
 * Server: replaces a message whose content an edit or a deletion for everyone hides by
 * its {@link purgedCopy}, in place, in one transaction (and drops a deleted message's
 * edit, whose text is the message's too): the original's item is deleted
 * and the copy inserted at the same index, between the message before (its left
 * origin) and the original's tombstone, so every message keeps its index (receipts and
 * chat-index positions stay true). A reply appended after the original by someone who
 * has not seen the purge yet still lands after the copy (its origin is the tombstone);
 * only an append concurrent with the original itself can land on either side, as it
 * could beside the original. Once the deleted item is garbage-collected, the hidden
 * text is gone from the doc's encoded state. Returns whether anything was replaced.
 * O(bucket).
 */
export function purgeMessage(doc: Y.Doc, id: MessageId): boolean {
  const index = indexOfMessage(doc, id);
  if (index < 0) return false;
  const messages = messagesArray(doc);
  const parsed = messageSchema.safeParse(messages.get(index));
  if (!parsed.success) return false;
  const overlay = overlayOf(doc, id);
  const copy = purgedCopy(parsed.data as Message, overlay);
  const edits = doc.getMap(BUCKET.edits);
  // A deleted message's latest edit is its text too: it goes as well, whenever it was written.
  const dropEdit = overlay.deleted && parsed.data.event === undefined && edits.has(id);
  if (!copy && !dropEdit) return false;
  doc.transact(() => {
    if (dropEdit) edits.delete(id);
    if (!copy) return;
    messages.delete(index, 1);
    messages.insert(index, [copy]);
  });
  return true;
}

/**
 * The file ids attached to those of `ids` that are deleted for everyone and still hold
 * their attachment (not purged yet): what the server stops serving. O(bucket).
 */
export function deletedAttachments(doc: Y.Doc, ids: readonly MessageId[]): string[] {
  const deletions = doc.getMap(BUCKET.deletions);
  const out: string[] = [];
  for (const id of ids) {
    if (!deletionSchema.safeParse(deletions.get(id)).success) continue;
    const index = indexOfMessage(doc, id);
    const parsed = index < 0 ? undefined : messageSchema.safeParse(messagesArray(doc).get(index)).data;
    if (parsed?.attachment && parsed.event === undefined) out.push(parsed.attachment.fileId);
  }
  return out;
}

/**
 * What the server's expiry pass finds in a bucket for a chat whose disappearing messages
 * remove messages sent at or after `since` once older than `before`: the messages to
 * remove now (not system lines, not already removed), and whether any message remains
 * that may still expire later (sent at or after `before`), so a bucket without one
 * need not be read again. O(bucket).
 */
export function expiryOf(doc: Y.Doc, since: number, before: number): { due: MessageId[]; later: boolean } {
  const due: MessageId[] = [];
  let later = false;
  messagesArray(doc).forEach((value) => {
    const parsed = messageSchema.safeParse(value);
    if (!parsed.success || parsed.data.event !== undefined || parsed.data.expired) return;
    if (parsed.data.createdAt >= before) later = true;
    else if (parsed.data.createdAt >= since) due.push(parsed.data.id as MessageId);
  });
  return { due, later };
}

/**
 * Server: removes messages for the chat's disappearing messages, the way
 * {@link purgeMessage} removes a deleted one: each is replaced in place by a copy
 * holding only its id, author and time, marked `deleted` and `expired` (readers leave
 * it out), and its edit is dropped; its item keeps its index. One transaction; returns
 * how many were replaced. O(bucket).
 */
export function expireMessages(doc: Y.Doc, ids: readonly MessageId[]): number {
  const messages = messagesArray(doc);
  const edits = doc.getMap(BUCKET.edits);
  let replaced = 0;
  doc.transact(() => {
    for (const id of ids) {
      const index = indexOfMessage(doc, id);
      if (index < 0) continue;
      const parsed = messageSchema.safeParse(messages.get(index));
      if (!parsed.success || parsed.data.event !== undefined || parsed.data.expired) continue;
      const copy: Message = { id, authorId: parsed.data.authorId as UserId, createdAt: parsed.data.createdAt, text: '', deleted: true, expired: true };
      messages.delete(index, 1);
      messages.insert(index, [copy]);
      if (edits.has(id)) edits.delete(id);
      replaced++;
    }
  });
  return replaced;
}

/**
 * The messages whose stored content an overlay hides and the server has not purged
 * yet: say a deletion logged just before a crash, or made before purging existed.
 * O(bucket + overlays).
 */
export function messagesToPurge(doc: Y.Doc): MessageId[] {
  const overlaid = new Set<string>([...doc.getMap(BUCKET.deletions).keys(), ...doc.getMap(BUCKET.edits).keys()]);
  if (overlaid.size === 0) return [];
  const out: MessageId[] = [];
  // Runs on every bucket load: parse only the messages an overlay names.
  messagesArray(doc).forEach((value) => {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !overlaid.has(id)) return;
    const parsed = messageSchema.safeParse(value);
    if (!parsed.success || parsed.data.event !== undefined) return;
    const overlay = overlayOf(doc, id);
    if (purgedCopy(parsed.data as Message, overlay) || (overlay.deleted && doc.getMap(BUCKET.edits).has(id))) out.push(id as MessageId);
  });
  return out;
}

/**
 * Calls `listener` after each change that removed a message from the bucket's
 * `messages` (only the server's purges do), with the change's origin: the replica's
 * stored copy still holds the removed content until it is rewritten. Items that arrive
 * already deleted (a compacted state loaded again) do not count. O(deletions).
 */
export function onMessagesRemoved(doc: Y.Doc, listener: (origin: unknown) => void): () => void {
  const array = messagesArray(doc);
  const handler = (event: Y.YArrayEvent<unknown>) => {
    const transaction = event.transaction;
    let removed = false;
    // Observers run before garbage collection: a just-deleted item still holds its content.
    Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
      if (struct instanceof Y.Item && struct.parent === array && !(struct.content instanceof Y.ContentDeleted)) removed = true;
    });
    if (removed) listener(transaction.origin);
  };
  array.observe(handler);
  return () => array.unobserve(handler);
}
