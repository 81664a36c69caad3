import { describe, expect, it } from 'vitest';
import { dmRoomId, newGroupId, parseRoomId, type MessageId, type UserId } from '../ids';
import { entryAfterMessages, lastMessageOf, newChatEntry, withoutRoomId, type PlacedMessage } from './chatIndex';
import type { Message } from './message';

const ALICE = '00000000-0000-4000-8000-00000000000a' as UserId;
const BOB = '00000000-0000-4000-8000-00000000000b' as UserId;
const CAROL = '00000000-0000-4000-8000-00000000000c' as UserId;
const NAMES = new Map<UserId, string>([
  [ALICE, 'Alice'],
  [BOB, 'Bob'],
  [CAROL, 'Carol'],
]);
const nameOf = (id: UserId) => NAMES.get(id);

let n = 0;
function placed(authorId: UserId, createdAt: number, index: number, extra: Partial<Message> = {}): PlacedMessage {
  n++;
  return { message: { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as MessageId, authorId, createdAt, text: `message ${n}`, ...extra }, position: { bucket: 0, index } };
}

describe('chat index entries', () => {
  it('starts a DM entry titled with the other person, and a group entry with its name', () => {
    const dm = parseRoomId(dmRoomId(ALICE, BOB))!;
    expect(newChatEntry(dm, ALICE, nameOf, '', 5)).toMatchObject({ kind: 'dm', title: 'Bob', peerId: BOB, count: 0, updatedAt: 5 });
    expect(newChatEntry(dm, BOB, nameOf, '', 5)).toMatchObject({ title: 'Alice', peerId: ALICE });
    const group = parseRoomId(newGroupId())!;
    expect(newChatEntry(group, ALICE, nameOf, 'Trip', 5)).toMatchObject({ kind: 'group', title: 'Trip', count: 0 });
  });

  it("counts new messages, previews the newest with its position, and notes the reader's own and mentions of them", () => {
    const room = parseRoomId(newGroupId())!;
    const start = withoutRoomId(newChatEntry(room, ALICE, nameOf, 'Trip', 0));
    const added = [placed(BOB, 10, 0, { mentions: [ALICE] }), placed(ALICE, 11, 1), placed(CAROL, 12, 2)];
    const entry = entryAfterMessages(start, ALICE, added, added[2]!, nameOf, 100);
    expect(entry.count).toBe(3);
    expect(entry.mentionedAt).toBe(3);
    expect(entry.ownThrough).toBe(2);
    expect(entry.updatedAt).toBe(100);
    expect(entry.lastMessage).toEqual({ id: added[2]!.message.id, authorId: CAROL, authorName: 'Carol', preview: 'message 3', at: 12, position: { bucket: 0, index: 2 } });

    // Bob's view of the same messages: nobody mentioned him, his own is the first.
    const bobs = entryAfterMessages(withoutRoomId(newChatEntry(room, BOB, nameOf, 'Trip', 0)), BOB, added, added[2]!, nameOf, 100);
    expect(bobs.mentionedAt).toBeUndefined();
    expect(bobs.ownThrough).toBe(1);
  });

  it('does not count system lines and keeps a newer last message than the latest', () => {
    const room = parseRoomId(newGroupId())!;
    const before = entryAfterMessages(withoutRoomId(newChatEntry(room, ALICE, nameOf, 'Trip', 0)), ALICE, [placed(BOB, 50, 0)], placed(BOB, 50, 0), nameOf, 60);
    const line = placed(BOB, 40, 1, { text: '', event: { type: 'renamed', name: 'Trip 2' } });
    const after = entryAfterMessages(before, ALICE, [line], line, nameOf, 70);
    expect(after.count).toBe(1);
    expect(after.lastMessage).toEqual(before.lastMessage);
  });

  it('words a system line for its reader', () => {
    const line = placed(ALICE, 1, 0, { text: '', event: { type: 'added', target: BOB } });
    expect(lastMessageOf(line.message, BOB, nameOf, line.position)).toMatchObject({ preview: 'Alice added you', system: true, authorName: 'Alice', position: { bucket: 0, index: 0 } });
    expect(lastMessageOf(line.message, CAROL, nameOf)).toMatchObject({ preview: 'Alice added Bob' });
  });
});
