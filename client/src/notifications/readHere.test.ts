import { describe, expect, test } from 'vitest';
import { newGroupId } from '#schema/ids';
import { ReadHere } from './readHere';

describe('ReadHere', () => {
  const room = newGroupId();
  const other = newGroupId();

  test('a message at or before what the chat showed counts as read here, a later one and other chats do not', () => {
    const read = new ReadHere();
    expect(read.has(room, { bucket: 0, index: 0 })).toBe(false);
    read.saw(room, { bucket: 1, index: 4 });
    expect(read.has(room, { bucket: 1, index: 4 })).toBe(true);
    expect(read.has(room, { bucket: 1, index: 2 })).toBe(true);
    expect(read.has(room, { bucket: 0, index: 900 })).toBe(true);
    expect(read.has(room, { bucket: 1, index: 5 })).toBe(false);
    expect(read.has(room, { bucket: 2, index: 0 })).toBe(false);
    expect(read.has(other, { bucket: 0, index: 0 })).toBe(false);
  });

  test('never moves back: an older position shown again keeps the newer one', () => {
    const read = new ReadHere();
    read.saw(room, { bucket: 2, index: 3 });
    read.saw(room, { bucket: 2, index: 1 });
    expect(read.has(room, { bucket: 2, index: 3 })).toBe(true);
  });
});
