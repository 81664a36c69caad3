import type { RoomRef, UserId } from '../ids';
import type { ChatEntry } from './inbox';
import { previewOf, previewTextOf, type Message } from './message';
import type { Position } from './receipts';
import { describeSystemLine } from './systemLines';

/**
 * The chat index's entries (`inbox.ts`) as the server computes them: pure functions of
 * the entry so far and what arrived, shared by the projections
 * (`sync-server/src/sync/messageProjection.ts`, `membershipProjection.ts`) and
 * `scripts/seed.ts`, so a seeded chat reads as one the server projected.
 */

/** An entry without its room id, as `setChatEntry` takes it. */
export type ChatEntryValue = Omit<ChatEntry, 'roomId'>;

/** Display names by user id; an unknown user reads as `''` (or "Someone" in a system line). */
export type NameOf = (id: UserId) => string | undefined;

/** A message with where it sits in its room. */
export interface PlacedMessage {
  message: Message;
  position: Position;
}

/** The entry of a chat `viewer` has not had in their index yet (no message, count 0). */
export function newChatEntry(room: RoomRef, viewer: UserId, nameOf: NameOf, groupTitle: string, now: number): ChatEntry {
  if (room.kind === 'dm') {
    const peer = room.members[0] === viewer ? room.members[1] : room.members[0];
    return { roomId: room.id, kind: 'dm', title: nameOf(peer) ?? '', peerId: peer, count: 0, updatedAt: now };
  }
  return { roomId: room.id, kind: 'group', title: groupTitle, count: 0, updatedAt: now };
}

/** The chat index's preview of `message` for `viewer`: a system line is worded for them ("Alice added you"). */
export function lastMessageOf(message: Message, viewer: UserId, nameOf: NameOf, position?: Position): NonNullable<ChatEntry['lastMessage']> {
  const base = { id: message.id, authorId: message.authorId, authorName: nameOf(message.authorId) ?? '', at: message.createdAt, ...(position ? { position } : {}) };
  if (!message.event) return { ...base, preview: previewOf(previewTextOf(message)) };
  return { ...base, preview: previewOf(describeSystemLine(message, viewer, (id) => nameOf(id) ?? 'Someone')), system: true };
}

/**
 * `viewer`'s entry after new messages of the room: `added` in their order (system lines
 * included, but not counted), and `latest` the newest message among them and the last
 * ones already projected (concurrent appends may land among those, so the preview is
 * never an older one). The count grows by the people's messages added; a mention of
 * `viewer` or a message of theirs moves `mentionedAt` or `ownThrough` to the count just
 * after it; the last message changes only for one at least as new as the entry's.
 */
export function entryAfterMessages(entry: ChatEntryValue, viewer: UserId, added: readonly PlacedMessage[], latest: PlacedMessage, nameOf: NameOf, now: number): ChatEntryValue {
  const count = entry.count + added.filter(({ message }) => !message.event).length;
  const newer = !entry.lastMessage || latest.message.createdAt >= entry.lastMessage.at;
  const mentioned = added.some(({ message: m }) => !m.event && m.authorId !== viewer && m.mentions?.includes(viewer));
  const own = ownThrough(added, viewer, entry.count);
  return {
    ...entry,
    count,
    ...(mentioned ? { mentionedAt: count } : {}),
    ...(own !== null ? { ownThrough: own } : {}),
    updatedAt: now,
    lastMessage: newer ? lastMessageOf(latest.message, viewer, nameOf, latest.position) : entry.lastMessage,
  };
}

/**
 * The room's count just after `userId`'s last message among `added` (in their order,
 * counting people's messages from `countBefore`), or null if they wrote none of them.
 */
function ownThrough(added: readonly PlacedMessage[], userId: UserId, countBefore: number): number | null {
  let count = countBefore;
  let own: number | null = null;
  for (const { message } of added) {
    if (message.event) continue;
    count++;
    if (message.authorId === userId) own = count;
  }
  return own;
}

/** The entry's fields without its room id. */
export function withoutRoomId(entry: ChatEntry): ChatEntryValue {
  const { roomId: _roomId, ...rest } = entry;
  return rest;
}
