import * as Y from 'yjs';
import { z } from 'zod';
import type { RoomId, UserId } from '../ids';

/**
 * Root type names of an inbox doc. `chats` (the chat index) is written by the server
 * only; `state` is the owner's own (read marks, drafts, pins…), with flat keys so that
 * each key has one writer.
 */
export const INBOX = { chats: 'chats', state: 'state' } as const;

export const chatEntrySchema = z
  .object({
    kind: z.enum(['dm', 'group']),
    /** Group name, or for a DM the peer's display name, as the server last saw it. */
    title: z.string(),
    peerId: z.string().optional(),
    lastMessage: z
      .object({ id: z.string(), authorId: z.string(), authorName: z.string(), preview: z.string(), at: z.number() })
      .optional(),
    /** Messages in the room, as the server counted them. */
    count: z.number().int().nonnegative(),
    updatedAt: z.number(),
  })
  .strict();

/** One chat of the chat index, as the chat list shows it without opening the room. */
export type ChatEntry = z.infer<typeof chatEntrySchema> & { roomId: RoomId; peerId?: UserId };

function chatsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(INBOX.chats);
}

/** Server only: writes the entry of one chat. */
export function setChatEntry(doc: Y.Doc, roomId: RoomId, entry: Omit<ChatEntry, 'roomId'>): void {
  chatsMap(doc).set(roomId, entry);
}

export function readChatEntry(doc: Y.Doc, roomId: RoomId): ChatEntry | null {
  const parsed = chatEntrySchema.safeParse(chatsMap(doc).get(roomId));
  return parsed.success ? ({ ...parsed.data, roomId } as ChatEntry) : null;
}

/** Server only: drops a chat from the index (the user left or was removed). */
export function removeChatEntry(doc: Y.Doc, roomId: RoomId): void {
  chatsMap(doc).delete(roomId);
}

/** The chat index, most recent first. */
export function readChats(doc: Y.Doc): ChatEntry[] {
  const out: ChatEntry[] = [];
  chatsMap(doc).forEach((value, key) => {
    const parsed = chatEntrySchema.safeParse(value);
    if (parsed.success) out.push({ ...parsed.data, roomId: key as RoomId } as ChatEntry);
  });
  return out.sort((a, b) => b.updatedAt - a.updatedAt);
}

/** The peer of a DM entry, typed. */
export function peerOf(entry: ChatEntry): UserId | undefined {
  return entry.peerId as UserId | undefined;
}
