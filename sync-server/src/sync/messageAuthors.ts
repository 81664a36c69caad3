import * as Y from 'yjs';
import { BUCKET } from '../../../schema/docs/bucket';
import { messageSchema } from '../../../schema/docs/message';
import type { UserId } from '../../../schema/ids';

const indexes = new WeakMap<Y.Doc, Map<string, UserId>>();

function addMessage(index: Map<string, UserId>, value: unknown): void {
  const parsed = messageSchema.safeParse(value);
  // The guard refuses a second message with a known id; the first one stays the truth.
  if (parsed.success && !index.has(parsed.data.id)) index.set(parsed.data.id, parsed.data.authorId as UserId);
}

/**
 * Adds the messages a transaction integrated into `messages`. Not `event.changes`:
 * Yjs computes it by walking the whole array, which would make every update cost
 * O(bucket). A transaction's new structs are exactly the clocks between its before
 * and after state, found by binary search in each client's struct list.
 */
function addInserted(index: Map<string, UserId>, messages: Y.Array<unknown>, transaction: Y.Transaction): void {
  const store = transaction.doc.store;
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    const structs = store.clients.get(client)!;
    for (let i = Y.findIndexSS(structs, before); i < structs.length && structs[i]!.id.clock < after; i++) {
      const struct = structs[i]!;
      if (!(struct instanceof Y.Item) || struct.parent !== messages || !(struct.content instanceof Y.ContentAny)) continue;
      // A struct merged into its left neighbour after the transaction starts before `before`.
      const skip = Math.max(0, before - struct.id.clock);
      for (const value of struct.content.getContent().slice(skip)) addMessage(index, value);
    }
  }
}

/**
 * Message id → author of a loaded bucket doc, for the edit and deletion rules. Built
 * by one scan when the guard first needs it, then kept current by an observer, so each
 * later update costs only the messages it appends (messages are never removed).
 */
export function messageAuthors(doc: Y.Doc): ReadonlyMap<string, UserId> {
  let index = indexes.get(doc);
  if (index) return index;
  const built = new Map<string, UserId>();
  const messages = doc.getArray<unknown>(BUCKET.messages);
  messages.forEach((value) => addMessage(built, value));
  messages.observe((event) => addInserted(built, messages, event.transaction));
  indexes.set(doc, built);
  return built;
}
