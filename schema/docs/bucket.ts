import * as Y from 'yjs';
import { messageSchema, type Message } from './message';

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
