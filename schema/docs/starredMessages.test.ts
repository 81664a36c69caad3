import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import type { MessageId, RoomId, UserId } from '../ids';
import { isValidStateEntry, readStarredMessages, starMessage, unstarMessage } from './inbox';

const message = '0b4a7e2c-1d3f-4a5b-8c6d-7e8f9a0b1c2d' as MessageId;
const room = 'dm.0b4a7e2c-1d3f-4a5b-8c6d-000000000001.0b4a7e2c-1d3f-4a5b-8c6d-000000000002' as RoomId;
const author = '0b4a7e2c-1d3f-4a5b-8c6d-000000000002' as UserId;
const starred = { roomId: room, bucket: 3, authorId: author, preview: 'Meet at the station', createdAt: 1_700_000_000_000, at: 1_700_000_100_000 };

describe('starred messages in the inbox state', () => {
  test('star, list newest first, unstar', () => {
    const doc = new Y.Doc();
    const other = '1b4a7e2c-1d3f-4a5b-8c6d-7e8f9a0b1c2d' as MessageId;
    starMessage(doc, message, starred);
    starMessage(doc, other, { ...starred, preview: 'Later star', at: starred.at + 1 });
    expect(readStarredMessages(doc).map((s) => s.preview)).toEqual(['Later star', 'Meet at the station']);
    expect(readStarredMessages(doc)[1]).toEqual({ ...starred, messageId: message });
    unstarMessage(doc, other);
    expect(readStarredMessages(doc).map((s) => s.messageId)).toEqual([message]);
  });

  test('the guard accepts a star of the right shape and refuses others', () => {
    expect(isValidStateEntry(`star:${message}`, starred)).toBe(true);
    expect(isValidStateEntry(`star:${message}`, { ...starred, preview: 'x'.repeat(500) })).toBe(false);
    expect(isValidStateEntry(`star:${message}`, { ...starred, extra: 1 })).toBe(false);
    expect(isValidStateEntry(`star:${message}`, true)).toBe(false);
    expect(isValidStateEntry('star:', starred)).toBe(false);
  });
});
