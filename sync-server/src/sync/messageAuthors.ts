import type * as Y from 'yjs';
import { BUCKET, valuesInsertedBy } from '#schema/docs/bucket';
import { asStoredMessage, messageReader, type Message } from '#schema/docs/message';
import type { UserId } from '#schema/ids';
import { fromClient } from './origins';

const indexes = new WeakMap<Y.Doc, Map<string, UserId>>();

/**
 * The author a system line is indexed under: no user, so nobody edits or deletes it as
 * its author. Its `authorId` names who made the group change, but the words are the
 * server's; an edit would put the actor's own text in the chat list as a system line.
 */
export const NO_AUTHOR = '' as UserId;

function addMessage(index: Map<string, UserId>, message: Message | null): void {
  // The guard refuses a second message with a known id; the first one stays the truth.
  if (message && !index.has(message.id)) index.set(message.id, message.event ? NO_AUTHOR : message.authorId);
}

/**
 * Message id → author of a loaded bucket doc, for the edit and deletion rules. Built
 * by one scan when the guard first needs it, then kept current by an observer, so each
 * later update costs only the messages it appends (messages are never removed).
 */
export function messageAuthors(doc: Y.Doc): ReadonlyMap<string, UserId> {
  const index = indexes.get(doc);
  if (index) return index;
  const built = new Map<string, UserId>();
  const messages = doc.getArray<unknown>(BUCKET.messages);
  messages.forEach((value) => addMessage(built, asStoredMessage(value)));
  messages.observe((event) => {
    // A client's values passed the guard's parse; others (server writes, relays) are parsed here.
    const read = messageReader(fromClient(event.transaction.origin));
    for (const value of valuesInsertedBy(event.transaction)) addMessage(built, read(value));
  });
  indexes.set(doc, built);
  return built;
}
