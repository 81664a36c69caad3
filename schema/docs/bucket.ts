import * as Y from 'yjs';
import { z } from 'zod';
import type { MessageId, UserId } from '../ids';
import { asStoredMessage, MAX_MESSAGE_TEXT, messageReader, messageSchema, type Message } from './message';

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

/**
 * The bucket's messages in their agreed order; entries that do not match the message
 * schema are skipped. Copies, not the doc's own values ({@link asStoredMessage}): the
 * app keeps them in Solid stores, which mark every nested object they wrap.
 */
export function readMessages(doc: Y.Doc): Message[] {
  return messagesArray(doc)
    .toArray()
    .map((value) => (messageSchema.safeParse(value).data as Message | undefined) ?? null)
    .filter((message) => message !== null);
}

/** A message with its index in the bucket's array. */
export interface IndexedMessage {
  message: Message;
  index: number;
}

/**
 * For the chat-index projection, in one walk of the array: the messages at index
 * `since` and after (new since its watermark), and the newest by `createdAt` (the last
 * of equals) among the items from `from` to `since`, already projected but where a
 * concurrent append may have landed. Only those are validated: the others are read for
 * their time alone. `length` is the array's length.
 */
export function messagesSince(doc: Y.Doc, from: number, since: number): { fresh: IndexedMessage[]; newestBefore: IndexedMessage | null; length: number } {
  const values = valuesFrom(messagesArray(doc), from);
  const fresh: IndexedMessage[] = [];
  for (let i = since - from; i < values.length; i++) {
    const message = asStoredMessage(values[i]);
    if (message) fresh.push({ message, index: from + i });
  }
  // From the end, where times mostly fall: only a strictly newer item is validated, and one
  // that is not a message (the guard lets none in) is passed over.
  let newestBefore: IndexedMessage | null = null;
  for (let i = Math.min(values.length, since - from) - 1; i >= 0; i--) {
    const at = (values[i] as { createdAt?: unknown } | null)?.createdAt;
    if (typeof at !== 'number' || (newestBefore && at <= newestBefore.message.createdAt)) continue;
    const message = asStoredMessage(values[i]);
    if (message) newestBefore = { message, index: from + i };
  }
  return { fresh, newestBefore, length: from + values.length };
}

/**
 * `array.slice(from)`, read from the end of the list back: what the projection reads is
 * its last few hundred values, and a slice walks every item from the start (a thousand
 * in a full bucket, each a cold object by then). Yjs' own search markers would not help:
 * every change to the list drops them.
 */
export function valuesFrom<T>(array: Y.Array<T>, from: number): T[] {
  const values: T[] = new Array(Math.max(0, array.length - from));
  let index = array.length;
  for (let item = lastItem(array); item !== null && index > from; item = item.left) {
    if (item.deleted || !item.countable) continue;
    const content = item.content.getContent() as T[];
    for (let j = content.length - 1; j >= 0 && index > from; j--) values[--index - from] = content[j] as T;
  }
  return values;
}

/** Each list's last item as last found by {@link lastItem}. */
const lastItems = new WeakMap<object, Y.Item>();

/**
 * The list's last item: walked to from the one found last time, past what was added
 * since, or from the start when that one is no longer in the list (Yjs merges an item
 * into the one on its left, which then no longer points to it; nothing else takes an
 * item out of the list).
 */
function lastItem<T>(array: Y.Array<T>): Y.Item | null {
  const known = lastItems.get(array);
  let item = known && (known.left === null ? array._start === known : known.left.right === known) ? known : array._start;
  if (item === null) return null;
  while (item.right !== null) item = item.right;
  lastItems.set(array, item);
  return item;
}

/**
 * The raw values a transaction inserted into the bucket's `messages`, found from the
 * transaction's new structs: the clocks between its before and after state, located by
 * binary search in each client's struct list. Not `event.changes`, which Yjs computes
 * by walking the whole array, so every update would cost O(bucket). Values come
 * grouped by writer, not in array order.
 */
export function valuesInsertedBy(transaction: Y.Transaction): unknown[] {
  const values: unknown[] = [];
  for (const { item, skip } of itemsAddedTo(transaction, messagesArray(transaction.doc))) {
    if (item.deleted || !(item.content instanceof Y.ContentAny)) continue;
    const content = item.content.getContent();
    for (let i = skip; i < content.length; i++) values.push(content[i]);
  }
  return values;
}

/** An item a transaction added, and how many of its values came before the transaction. */
export interface AddedItem {
  item: Y.Item;
  skip: number;
}

/** Per transaction, the items it added under the one parent asked for (a bucket's messages). */
const addedItems = new WeakMap<Y.Transaction, { parent: Y.Array<unknown>; items: readonly AddedItem[] }>();

/**
 * The items `transaction` added directly under `parent`, read from the structs it
 * created (never a walk of the parent). `skip`: how many of the item's values came
 * before the transaction (an item merged into its left neighbour after the transaction
 * starts before it). Grouped by writer, not in array order. Worked out once per
 * transaction: a bucket's observers (arrivals, authors, the projection) each ask, and
 * the writers' states are one entry per client the doc has ever had.
 */
export function itemsAddedTo(transaction: Y.Transaction, parent: Y.Array<unknown>): readonly AddedItem[] {
  const known = addedItems.get(transaction);
  if (known?.parent === parent) return known.items;
  const items: AddedItem[] = [];
  const clients = transaction.doc.store.clients;
  transaction.afterState.forEach((after, client) => {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) return;
    const structs = clients.get(client)!;
    for (let i = Y.findIndexSS(structs, before); i < structs.length && structs[i]!.id.clock < after; i++) {
      const struct = structs[i]!;
      if (struct instanceof Y.Item && struct.parent === parent) items.push({ item: struct, skip: Math.max(0, before - struct.id.clock) });
    }
  });
  addedItems.set(transaction, { parent, items });
  return items;
}

/**
 * Calls `listener` with the messages appended by each change (in O(change)); returns
 * the unsubscribe function. `checked`: whether a change's origin means its values passed
 * the message schema already (the server's guard), so they are not parsed again.
 */
export function onMessagesAdded(doc: Y.Doc, listener: (added: Message[], origin: unknown) => void, checked: (origin: unknown) => boolean = () => false): () => void {
  const array = messagesArray(doc);
  const handler = (event: Y.YArrayEvent<unknown>) => {
    const read = messageReader(checked(event.transaction.origin));
    const added: Message[] = [];
    for (const value of valuesInsertedBy(event.transaction)) {
      const message = read(value);
      if (message) added.push(message);
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
  const message = asStoredMessage(messagesArray(doc).get(index));
  if (!message || message.deleted) return null;
  const edited = editSchema.safeParse(doc.getMap(BUCKET.edits).get(id)).data?.text;
  return { ...message, ...(edited !== undefined ? { text: edited } : {}) };
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
