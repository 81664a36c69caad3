import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newMessageId, type UserId } from '../ids';
import { appendMessage, BUCKET, messagesSince } from './bucket';

const AUTHOR = '0b7e0d5c-6c58-4b8e-9a51-3f0e2f7f6a11' as UserId;

/** A bucket whose items are messages created at these times, or, for `null`, an item that is not a message. */
function bucketOf(times: (number | null)[]): Y.Doc {
  const doc = new Y.Doc();
  for (const [i, createdAt] of times.entries()) {
    if (createdAt === null) doc.getArray(BUCKET.messages).push([{ createdAt: 1_000, text: 'no id, no author' }]);
    else appendMessage(doc, { id: newMessageId(), authorId: AUTHOR, createdAt, text: `message ${i}` });
  }
  return doc;
}

describe('messagesSince (the chat-index projection read)', () => {
  it('returns the new messages at their own indexes, skipping an item that is not a message without shifting the rest', () => {
    const { fresh, length } = messagesSince(bucketOf([10, 20, 30, null, 40]), 0, 2);
    expect(fresh.map(({ message, index }) => [message.text, index])).toEqual([
      ['message 2', 2],
      ['message 4', 4],
    ]);
    expect(length).toBe(5);
  });

  it('finds the newest already-projected message by its time, the later of equals, and passes over an item that is not a message', () => {
    const doc = bucketOf([10, 30, 30, null, 20, 50]);
    const { newestBefore, fresh } = messagesSince(doc, 0, 5);
    expect(newestBefore).toMatchObject({ index: 2, message: { text: 'message 2' } });
    expect(fresh.map(({ index }) => index)).toEqual([5]);
    // Only from `from` on: the newest at index 1 and 2 are out of reach from index 3.
    expect(messagesSince(doc, 3, 5).newestBefore).toMatchObject({ index: 4 });
  });

  it('reads nothing new when the watermark is at or past the end', () => {
    const doc = bucketOf([10, 20]);
    expect(messagesSince(doc, 0, 2)).toMatchObject({ fresh: [], length: 2, newestBefore: { index: 1 } });
    expect(messagesSince(doc, 0, 5)).toMatchObject({ fresh: [], length: 2, newestBefore: { index: 1 } });
  });
});
