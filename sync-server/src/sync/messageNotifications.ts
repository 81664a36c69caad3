import type { MemberCard } from '../store/db/store';
import { previewTextOf, type Message } from '#schema/docs/message';
import { notificationKey, type Notification, type NotificationKind } from '#schema/docs/notifications';
import type { Position } from '#schema/docs/receipts';
import type { MessageId, RoomId, UserId } from '#schema/ids';

// The notification items the projections write into members' inboxes, beside the chat entries they write there.

/**
 * What new messages notify `viewer` of: a mention of them, or a reply to their message
 * (one item per message: a reply that mentions them is a mention). Never their own
 * messages, never system lines, and only while they are a member.
 */
export function messageNotifications(
  roomId: RoomId,
  added: readonly { message: Message; position: Position }[],
  viewer: UserId,
  members: ReadonlySet<UserId>,
  authorOf: (id: MessageId) => UserId | undefined,
  users: ReadonlyMap<UserId, MemberCard>,
  roomTitle: string,
  now: number,
): Notification[] {
  if (!members.has(viewer)) return [];
  const out: Notification[] = [];
  for (const { message, position } of added) {
    if (message.event || message.deleted || message.authorId === viewer) continue;
    const kind: NotificationKind | null = message.mentions?.includes(viewer) ? 'mention' : message.replyTo && authorOf(message.replyTo) === viewer ? 'reply' : null;
    if (!kind) continue;
    out.push({
      key: notificationKey(kind, message.id),
      kind,
      roomId,
      messageId: message.id,
      bucket: position.bucket,
      actorId: message.authorId,
      actorName: users.get(message.authorId)?.displayName ?? '',
      roomTitle,
      preview: previewTextOf(message),
      at: now,
    });
  }
  return out;
}

/**
 * What a group's system lines notify `viewer` of: someone added them (or created the
 * group with them in it), removed them, or made them an admin. Their own doings are
 * not notified.
 */
export function membershipNotifications(
  roomId: RoomId,
  lines: readonly Message[],
  viewer: UserId,
  users: ReadonlyMap<UserId, MemberCard>,
  roomTitle: string,
  positions: ReadonlyMap<MessageId, Position>,
  now: number,
): Notification[] {
  const out: Notification[] = [];
  for (const line of lines) {
    const event = line.event;
    if (!event || line.authorId === viewer) continue;
    const kind: NotificationKind | null =
      (event.type === 'added' && event.target === viewer) || event.type === 'created'
        ? 'added'
        : event.type === 'removed' && event.target === viewer
          ? 'removed'
          : event.type === 'promoted' && event.target === viewer
            ? 'made_admin'
            : null;
    if (!kind) continue;
    const bucket = positions.get(line.id)?.bucket;
    out.push({
      key: notificationKey(kind, line.id),
      kind,
      roomId,
      messageId: line.id,
      ...(bucket !== undefined ? { bucket } : {}),
      actorId: line.authorId,
      actorName: users.get(line.authorId)?.displayName ?? '',
      roomTitle,
      preview: '',
      at: now,
    });
  }
  return out;
}
