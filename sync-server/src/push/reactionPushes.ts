import type * as Y from 'yjs';
import type { MemberCard } from '../store/db/store';
import { chatAnnounces } from '#schema/docs/inbox';
import type { Notification } from '#schema/docs/notifications';
import type { RoomId } from '#schema/ids';
import type { PushNote } from './pushSender';

/**
 * The push about reactions to `userId`'s messages, made from the reaction items the
 * projection has just written into their inbox: one note for the newest ("Ann reacted
 * 👍 to “see you at 8”", or "… to your message" when they keep previews off), through
 * the sender's per-person interval like messages. A reaction is not about the person
 * the way a mention is: a mute or "mentions only" silences it, as WhatsApp does.
 * Nothing while they have the chat open.
 */
export function reactionPush(args: { user: MemberCard | undefined; roomId: RoomId; title: string; items: readonly Notification[]; inbox: Y.Doc; reading: boolean; now: number }): PushNote | null {
  const newest = args.items.filter((item) => item.kind === 'reaction').at(-1);
  if (args.reading || !args.user || !newest) return null;
  if (!chatAnnounces(args.inbox, args.roomId, args.now, false)) return null;
  const what = args.user.pushPreview && newest.preview ? `“${newest.preview}”` : 'your message';
  return {
    userId: args.user.id,
    roomId: args.roomId,
    title: args.title || newest.actorName || 'Jeco',
    event: `${newest.actorName || 'Someone'} reacted ${newest.emoji ?? ''} to ${what}`.replace(/\s+/g, ' '),
    messages: 0,
  };
}
