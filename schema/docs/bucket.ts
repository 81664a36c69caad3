import * as Y from 'yjs';
import { z } from 'zod';
import type { MessageId, UserId } from '../ids';
import { MAX_MESSAGE_TEXT, messageSchema, type Message } from './message';

/** Root type names of a message bucket doc. */
export const BUCKET = { messages: 'messages', edits: 'edits', deletions: 'deletions', reactions: 'reactions' } as const;

/** Default messages per bucket before the server moves the room's head on (`JECO_BUCKET_SIZE`). */
export const DEFAULT_BUCKET_SIZE = 1000;

function messagesArray(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray(BUCKET.messages);
}

/** Appends a message at the end of the bucket; every replica orders concurrent appends the same way. */
export function appendMessage(doc: Y.Doc, message: Message): void {
  messagesArray(doc).push([{ ...message }]);
}

/** How many entries the bucket holds (malformed ones included), as the rollover rule counts them. */
export function messageCount(doc: Y.Doc): number {
  return messagesArray(doc).length;
}

/** The index of a message in the bucket's array, searched from the end (where new ones are); -1 if absent. */
export function indexOfMessage(doc: Y.Doc, id: MessageId): number {
  const array = messagesArray(doc);
  for (let i = array.length - 1; i >= 0; i--) {
    if ((array.get(i) as { id?: unknown } | undefined)?.id === id) return i;
  }
  return -1;
}

/** The bucket's messages in their agreed order; entries that do not match the message schema are skipped. */
export function readMessages(doc: Y.Doc): Message[] {
  return readMessagesFrom(doc, 0);
}

/** The bucket's messages from index `start` on, for incremental readers. */
export function readMessagesFrom(doc: Y.Doc, start: number): Message[] {
  const out: Message[] = [];
  const array = messagesArray(doc);
  for (let i = start; i < array.length; i++) {
    const parsed = messageSchema.safeParse(array.get(i));
    if (parsed.success) out.push(parsed.data as Message);
  }
  return out;
}

/**
 * The raw values a transaction inserted into the bucket's `messages`, found from the
 * transaction's new structs: the clocks between its before and after state, located by
 * binary search in each client's struct list. Not `event.changes`, which Yjs computes
 * by walking the whole array, so every update would cost O(bucket). Values come
 * grouped by writer, not in array order.
 */
export function valuesInsertedBy(transaction: Y.Transaction): unknown[] {
  const messages = messagesArray(transaction.doc);
  const store = transaction.doc.store;
  const values: unknown[] = [];
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    const structs = store.clients.get(client)!;
    for (let i = Y.findIndexSS(structs, before); i < structs.length && structs[i]!.id.clock < after; i++) {
      const struct = structs[i]!;
      if (!(struct instanceof Y.Item) || struct.parent !== messages || struct.deleted || !(struct.content instanceof Y.ContentAny)) continue;
      // A struct merged into its left neighbour after the transaction starts before `before`.
      values.push(...struct.content.getContent().slice(Math.max(0, before - struct.id.clock)));
    }
  }
  return values;
}

/** Calls `listener` with the messages appended by each change (in O(change)); returns the unsubscribe function. */
export function onMessagesAdded(doc: Y.Doc, listener: (added: Message[], origin: unknown) => void): () => void {
  const array = messagesArray(doc);
  const handler = (event: Y.YArrayEvent<unknown>) => {
    const added: Message[] = [];
    for (const value of valuesInsertedBy(event.transaction)) {
      const parsed = messageSchema.safeParse(value);
      if (parsed.success) added.push(parsed.data as Message);
    }
    if (added.length > 0) listener(added, event.transaction.origin);
  };
  array.observe(handler);
  return () => array.unobserve(handler);
}

/** A text edit of a message, kept in the bucket's `edits` map under the message id (the author's only). */
export const editSchema = z.object({ text: z.string().max(MAX_MESSAGE_TEXT), at: z.number().int().nonnegative() }).strict();
/** A deletion for everyone, kept in `deletions` under the message id: by the author, or a group admin or owner. */
export const deletionSchema = z.object({ by: z.string(), at: z.number().int().nonnegative() }).strict();
/** Longest reaction the server accepts: one emoji sequence (flags, skin tones, ZWJ families) fits easily. */
export const MAX_REACTION = 32;
export const reactionSchema = z.string().min(1).max(MAX_REACTION);

/** A message as shown: the appended message with the bucket's edits, deletion and reactions applied. */
export type ShownMessage = Message & {
  /** The latest edit's text; `text` is the stored one: the original until the server purges it, then the latest edit too. */
  editedText?: string;
  edited: boolean;
  deleted: boolean;
  /** Who reacted with each emoji (ids sorted), most reactions first, then by emoji. Shared and empty when nobody reacted: never mutate. */
  reactions: ReadonlyMap<string, UserId[]>;
};

const NO_REACTIONS: ReadonlyMap<string, UserId[]> = new Map();

/** Author: replaces the text of one's own message; the server then purges the original text from `messages` ({@link purgeMessage}). */
export function editMessage(doc: Y.Doc, messageId: MessageId, text: string, at: number): void {
  doc.getMap(BUCKET.edits).set(messageId, editSchema.parse({ text, at }));
}

/** Author, or a group admin or owner: deletes a message for everyone; the server then purges its content, leaving a tombstone ({@link purgeMessage}). */
export function deleteForEveryone(doc: Y.Doc, messageId: MessageId, by: UserId, at: number): void {
  doc.getMap(BUCKET.deletions).set(messageId, deletionSchema.parse({ by, at }));
}

/** What a chat list shows for a message deleted for everyone (and the bubble's tombstone). */
export const DELETED_MESSAGE_TEXT = 'This message was deleted';

/**
 * Calls `listener` with each message whose text changed (edited, or deleted for
 * everyone) and the text to show for it now; costs O(keys changed).
 */
export function onMessageTextChanged(doc: Y.Doc, listener: (messageId: MessageId, shown: string, origin: unknown) => void): () => void {
  const edits = doc.getMap(BUCKET.edits);
  const deletions = doc.getMap(BUCKET.deletions);
  const handler = (event: Y.YMapEvent<unknown>) => {
    for (const key of event.keysChanged) {
      const shown = deletions.has(key) ? DELETED_MESSAGE_TEXT : editSchema.safeParse(edits.get(key)).data?.text;
      if (shown !== undefined) listener(key as MessageId, shown, event.transaction.origin);
    }
  };
  edits.observe(handler);
  deletions.observe(handler);
  return () => {
    edits.unobserve(handler);
    deletions.unobserve(handler);
  };
}

/** One user's reaction to a message: one per person, `null` removes it. Keys are `<messageId>:<userId>`, so each has one writer. */
export function setReaction(doc: Y.Doc, messageId: MessageId, userId: UserId, emoji: string | null): void {
  const reactions = doc.getMap(BUCKET.reactions);
  const key = `${messageId}:${userId}`;
  if (emoji === null) reactions.delete(key);
  else reactions.set(key, reactionSchema.parse(emoji));
}

/** The emoji of one reaction key (`<messageId>:<userId>`), or null when there is none (removed, or malformed). */
export function reactionAt(doc: Y.Doc, key: string): string | null {
  return reactionSchema.safeParse(doc.getMap(BUCKET.reactions).get(key)).data ?? null;
}

/** The keys (`<messageId>:<userId>`) of every reaction in the bucket. */
export function reactionKeys(doc: Y.Doc): string[] {
  return [...doc.getMap(BUCKET.reactions).keys()];
}

/** Splits a reaction key into its message and its reacting user; null if it is not one. */
export function parseReactionKey(key: string): { messageId: MessageId; userId: UserId } | null {
  const colon = key.lastIndexOf(':');
  if (colon <= 0 || colon === key.length - 1) return null;
  return { messageId: key.slice(0, colon) as MessageId, userId: key.slice(colon + 1) as UserId };
}

/** Calls `listener` with the keys of the reactions each change set, changed or removed, and its origin; O(keys changed). */
export function onReactionsChanged(doc: Y.Doc, listener: (keys: string[], origin: unknown) => void): () => void {
  const reactions = doc.getMap(BUCKET.reactions);
  const handler = (event: Y.YMapEvent<unknown>) => listener([...event.keysChanged], event.transaction.origin);
  reactions.observe(handler);
  return () => reactions.unobserve(handler);
}

/**
 * One message as shown now (its latest edit's text), found by id from the end of the
 * bucket; null when absent or deleted for everyone.
 */
export function shownMessageById(doc: Y.Doc, id: MessageId): Message | null {
  const index = indexOfMessage(doc, id);
  if (index < 0 || doc.getMap(BUCKET.deletions).has(id)) return null;
  const parsed = messageSchema.safeParse(messagesArray(doc).get(index));
  if (!parsed.success || parsed.data.deleted) return null;
  const edited = editSchema.safeParse(doc.getMap(BUCKET.edits).get(id)).data?.text;
  return { ...(parsed.data as Message), ...(edited !== undefined ? { text: edited } : {}) };
}

/** The overlay maps indexed by message id, read in one pass each so that applying them costs O(1) per message. */
interface Overlays {
  edits: Map<string, string>;
  deleted: Set<string>;
  reactions: Map<string, Map<string, UserId[]>>;
}

function readOverlays(doc: Y.Doc): Overlays {
  const edits = new Map<string, string>();
  doc.getMap(BUCKET.edits).forEach((value, key) => {
    const parsed = editSchema.safeParse(value);
    if (parsed.success) edits.set(key, parsed.data.text);
  });
  const deleted = new Set<string>();
  doc.getMap(BUCKET.deletions).forEach((value, key) => {
    if (deletionSchema.safeParse(value).success) deleted.add(key);
  });
  const reactions = new Map<string, Map<string, UserId[]>>();
  doc.getMap(BUCKET.reactions).forEach((value, key) => {
    const [messageId, userId] = key.split(':');
    const parsed = reactionSchema.safeParse(value);
    if (!messageId || !userId || !parsed.success) return;
    let byEmoji = reactions.get(messageId);
    if (!byEmoji) reactions.set(messageId, (byEmoji = new Map()));
    byEmoji.set(parsed.data, [...(byEmoji.get(parsed.data) ?? []), userId as UserId]);
  });
  // Map iteration order differs between replicas: sort so every device shows the same.
  for (const [messageId, byEmoji] of reactions) {
    const sorted = [...byEmoji].map(([emoji, users]) => [emoji, users.sort()] as const);
    sorted.sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0));
    reactions.set(messageId, new Map(sorted));
  }
  return { edits, deleted, reactions };
}

/** The bucket's messages in their agreed order with edits, deletions and reactions applied, in O(bucket + overlays). */
export function readShownMessages(doc: Y.Doc): ShownMessage[] {
  const overlays = readOverlays(doc);
  return readMessages(doc).map((message) => {
    const editedText = overlays.edits.get(message.id);
    const shown: ShownMessage = {
      ...message,
      edited: editedText !== undefined,
      deleted: overlays.deleted.has(message.id) || message.deleted === true,
      reactions: overlays.reactions.get(message.id) ?? NO_REACTIONS,
    };
    if (editedText !== undefined) shown.editedText = editedText;
    return shown;
  });
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
