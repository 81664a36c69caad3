import type * as Y from 'yjs';
import { withoutRoomId } from '#schema/docs/chatIndex';
import { readChatEntry, setChatEntry } from '#schema/docs/inbox';
import { previewOf } from '#schema/docs/message';
import { rewriteNotificationPreviews } from '#schema/docs/notifications';
import type { MessageId, RoomId } from '#schema/ids';

/**
 * A member's inbox after messages of the room changed what they show (an edit, a
 * deletion for everyone, or disappearing messages removing them): the notifications
 * quoting one of them, and the chat entry previewing one as its last message, show
 * `shown` now. A system line's words are the server's: no overlay changes its preview.
 */
export function rewritePreviews(inbox: Y.Doc, roomId: RoomId, ids: ReadonlySet<MessageId>, shown: string): void {
  for (const id of ids) rewriteNotificationPreviews(inbox, id, shown);
  const entry = readChatEntry(inbox, roomId);
  if (!entry?.lastMessage || !ids.has(entry.lastMessage.id as MessageId) || entry.lastMessage.system) return;
  setChatEntry(inbox, roomId, { ...withoutRoomId(entry), lastMessage: { ...entry.lastMessage, preview: previewOf(shown) } });
}
