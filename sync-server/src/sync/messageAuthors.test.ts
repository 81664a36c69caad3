import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { appendMessage } from '#schema/docs/bucket';
import { newMessageId, newUserId, type UserId } from '#schema/ids';
import { messageAuthors } from './messageAuthors';

const message = (authorId: UserId) => ({ id: newMessageId(), authorId, createdAt: 1, text: 'x' });

/** A peer that appends with its own client id and sends the server what it lacks, as a provider does. */
function appendFrom(server: Y.Doc, clientId: number, authors: UserId[]): string[] {
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(server));
  peer.clientID = clientId;
  const before = Y.encodeStateVector(server);
  const ids: string[] = [];
  peer.transact(() => {
    for (const author of authors) {
      const m = message(author);
      ids.push(m.id);
      appendMessage(peer, m);
    }
  });
  Y.applyUpdate(server, Y.encodeStateAsUpdate(peer, before));
  return ids;
}

afterEach(() => vi.restoreAllMocks());

describe('message authors index', () => {
  it('knows the messages already in the bucket and every message appended later, several per update included', () => {
    const alice = newUserId();
    const bob = newUserId();
    const server = new Y.Doc();
    const [first] = appendFrom(server, 1, [alice]);
    const index = messageAuthors(server);
    expect(index.get(first!)).toBe(alice);
    const later = appendFrom(server, 2, [bob, alice, bob]);
    // The same client again: Yjs merges its new struct into the one before it.
    const merged = appendFrom(server, 2, [alice]);
    expect(later.map((id) => index.get(id))).toEqual([bob, alice, bob]);
    expect(index.get(merged[0]!)).toBe(alice);
    expect(index.size).toBe(5);
  });

  // Regression: the index read `event.changes`, which Yjs computes by walking the
  // whole array, so every update cost O(bucket) (about 1.5 ms more per update at 20,000 items).
  it('keeps itself current without walking the bucket', () => {
    const server = new Y.Doc();
    for (let i = 0; i < 50; i++) appendFrom(server, 10 + (i % 2), [newUserId()]);
    const index = messageAuthors(server);
    const walks = vi.spyOn(Y.YEvent.prototype, 'changes', 'get');
    const [id] = appendFrom(server, 3, [newUserId()]);
    expect(index.has(id!)).toBe(true);
    expect(walks).not.toHaveBeenCalled();
  });
});
