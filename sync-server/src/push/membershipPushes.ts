import type * as Y from 'yjs';
import { chatAnnounces } from '#schema/docs/inbox';
import type { Notification } from '#schema/docs/notifications';
import type { RoomId, UserId } from '#schema/ids';
import type { PushNote } from './pushSender';

/** The push's words for what happened to its reader, e.g. "Ann made you an admin". */
function sentence(item: Notification): string | null {
  const actor = item.actorName || 'Someone';
  switch (item.kind) {
    case 'added':
      return `${actor} added you`;
    case 'removed':
      return `${actor} removed you`;
    case 'made_admin':
      return `${actor} made you an admin`;
    default:
      return null;
  }
}

/**
 * The push about what a group's change did to `userId` (added, removed, made admin),
 * made from the notification items the projection writes into their inbox in the same
 * step: one note for the newest, through the sender's per-person interval like
 * messages. These are about the person, so like a mention they pass a mute and
 * "mentions only"; only "off" silences them. Nothing while they have the chat open.
 */
export function membershipPush(args: { userId: UserId; roomId: RoomId; title: string; items: readonly Notification[]; inbox: Y.Doc; reading: boolean; now: number }): PushNote | null {
  if (args.reading) return null;
  const newest = args.items.filter((item) => sentence(item) !== null).at(-1);
  if (!newest) return null;
  if (!chatAnnounces(args.inbox, args.roomId, args.now, true)) return null;
  return { userId: args.userId, roomId: args.roomId, title: args.title || 'Group', event: sentence(newest)!, messages: 0 };
}
