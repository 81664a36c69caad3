import type * as Y from 'yjs';
import type { MemberCard } from '../store/db/store';
import { parseReactionKey, reactionAt, shownMessageById } from '#schema/docs/bucket';
import { previewTextOf } from '#schema/docs/message';
import { notificationKey, type Notification } from '#schema/docs/notifications';
import type { RoomId, UserId } from '#schema/ids';
import { messageAuthors, NO_AUTHOR } from './messageAuthors';

/**
 * What changed reactions mean for each member's list: per author of a reacted-to
 * message, the items to set (`reaction:<messageId>:<reactor>`, the emoji and the
 * message's preview) and the keys of withdrawn reactions to remove. Nobody is told of
 * their own reaction, of a reaction to a system line or to a message deleted for
 * everyone, or while they are not a member. `roomTitle` is filled in per inbox.
 */
export function reactionNotifications(
  roomId: RoomId,
  docs: ReadonlyMap<number, Y.Doc>,
  keysByBucket: ReadonlyMap<number, ReadonlySet<string>>,
  members: ReadonlySet<UserId>,
  users: ReadonlyMap<UserId, MemberCard>,
  now: number,
): Map<UserId, { set: Notification[]; removed: string[] }> {
  const out = new Map<UserId, { set: Notification[]; removed: string[] }>();
  for (const [bucket, keys] of keysByBucket) {
    const doc = docs.get(bucket);
    if (!doc) continue;
    const authors = messageAuthors(doc);
    for (const key of keys) {
      const parsed = parseReactionKey(key);
      const author = parsed && authors.get(parsed.messageId);
      if (!parsed || !author || author === NO_AUTHOR || author === parsed.userId || !members.has(author)) continue;
      const mine = out.get(author) ?? { set: [], removed: [] };
      out.set(author, mine);
      const itemKey = notificationKey('reaction', parsed.messageId, parsed.userId);
      const emoji = reactionAt(doc, key);
      const message = emoji === null ? null : shownMessageById(doc, parsed.messageId);
      if (emoji === null || !message) {
        mine.removed.push(itemKey);
        continue;
      }
      mine.set.push({
        key: itemKey,
        kind: 'reaction',
        roomId,
        messageId: parsed.messageId,
        bucket,
        actorId: parsed.userId,
        actorName: users.get(parsed.userId)?.displayName ?? '',
        roomTitle: '',
        preview: previewTextOf(message),
        at: now,
        emoji,
      });
    }
  }
  return out;
}
