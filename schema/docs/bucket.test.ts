import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newMessageId, type UserId } from '../ids';
import seedrandom from 'seedrandom';
import { appendMessage, BUCKET, messagesSince, valuesFrom } from './bucket';

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

describe('valuesFrom (a slice read from the end)', () => {
  it('finds the end again when the last item it read has been merged into the one before it', () => {
    const server = new Y.Doc();
    const device = new Y.Doc();
    const list = server.getArray<number>(BUCKET.messages);
    const sync = () => Y.applyUpdate(server, Y.encodeStateAsUpdate(device, Y.encodeStateVector(server)));
    const array = device.getArray<number>(BUCKET.messages);
    array.push([1, 2]);
    sync();
    // Deleting the 2 splits the item in two: the server's last item is now the deleted half.
    array.delete(1, 1);
    sync();
    expect(valuesFrom(list, 0)).toEqual([1]);
    // Deleting the 1 too: both halves deleted, Yjs merges them, and the half read last is out of the list.
    array.delete(0, 1);
    sync();
    array.push([3]);
    sync();
    expect(valuesFrom(list, 0)).toEqual([3]);
    expect(list.toArray()).toEqual([3]);
  });

  /**
   * Devices append (one after another they merge into one item), insert among the last
   * values (splitting an item), and delete (tombstones, merged with their neighbours
   * once deleted); the server's copy is read from the end between changes, so the last
   * item it remembers is merged away, split and overtaken.
   */
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reads what a slice of the whole list reads, after any mix of appends, inserts and deletes (seed %i)', (seed) => {
    const random = seedrandom(String(seed));
    const server = new Y.Doc();
    const devices = Array.from({ length: 3 }, () => new Y.Doc());
    const list = server.getArray<number>(BUCKET.messages);
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const device = devices[Math.floor(random() * devices.length)]!;
      Y.applyUpdate(device, Y.encodeStateAsUpdate(server, Y.encodeStateVector(device)));
      const array = device.getArray<number>(BUCKET.messages);
      const roll = random();
      if (roll < 0.6 || array.length < 4) array.push(Array.from({ length: 1 + Math.floor(random() * 3) }, () => next++));
      else if (roll < 0.8) array.insert(array.length - 1 - Math.floor(random() * Math.min(array.length - 1, 6)), [next++]);
      else {
        const at = Math.floor(random() * array.length);
        array.delete(at, Math.min(1 + Math.floor(random() * 2), array.length - at));
      }
      Y.applyUpdate(server, Y.encodeStateAsUpdate(device, Y.encodeStateVector(server)));
      if (random() < 0.5) {
        const from = Math.floor(random() * (list.length + 2));
        expect(valuesFrom(list, from)).toEqual(list.slice(from));
      }
    }
    for (const from of [0, 1, Math.floor(list.length / 2), list.length - 1, list.length, list.length + 3]) expect(valuesFrom(list, from)).toEqual(list.slice(from));
  });
});
