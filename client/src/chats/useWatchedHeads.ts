import { createEffect, createMemo, type Accessor } from 'solid-js';
import type { ChatEntry } from '#schema/docs/inbox';
import { parseDocName, roomHeadDoc, roomOfDoc, type DocName } from '#schema/docs/names';
import { readReceiptAggregate, readReceipts, recipientsOf, statusOf, type DeliveryStatus } from '#schema/docs/receipts';
import { readMembers } from '#schema/docs/roomHead';
import type { RoomId, UserId } from '#schema/ids';
import type { Session } from '../auth/session';
import { reportReceipt } from '../chat/receiptReporter';
import { watchTyping } from '../chat/useTyping';
import { docSignal } from '../sync/docBindings';
import { sameNames, useReplicas } from '../sync/replicaScope';

/**
 * How many of the most recent chats keep their room head open while Jeco is open. A
 * head is small; through it this device reports that it received the chat's newest
 * message, sees who is typing there (for the chat list) and who has it open
 * ("online"), and others see this user online.
 */
const WATCHED_CHATS = 12;

interface WatchedHead {
  roomId: RoomId;
  typing: Accessor<string[]>;
  present: Accessor<ReadonlySet<UserId>>;
  /** The ticks of the chat's last message, when it is one's own. */
  lastStatus: Accessor<DeliveryStatus | null>;
}

/**
 * The room heads of the most recent chats, kept open for the session. When the chat
 * index says a chat has a newer message, this device has received it (the index entry
 * arrived here), so it reports "delivered" up to there; the sender sees two ticks
 * without the chat ever being opened here.
 */
export function useWatchedHeads(session: Session, chats: () => ChatEntry[]) {
  const me = session.user.id;
  const names = createMemo(
    () =>
      chats()
        .slice(0, WATCHED_CHATS)
        .map((c) => roomHeadDoc(c.roomId)),
    [] as DocName[],
    { equals: sameNames },
  );
  const entries = createMemo(() => new Map(chats().map((c) => [c.roomId, c])));
  const heads = useReplicas(session.replicas, names, (replica): WatchedHead => {
    const room = roomOfDoc(parseDocName(replica.name)!)!;
    const roomId = room.id;
    // One's own messages too: the room's aggregate covers a message only once every
    // member, its author included, has it. The report goes out once the head is synced.
    createEffect(() => {
      const last = entries().get(roomId)?.lastMessage;
      if (last?.position) reportReceipt(replica, 'delivered', last.position);
    });
    const aggregate = docSignal(replica.doc, readReceiptAggregate);
    const earlier = docSignal(replica.doc, readReceipts);
    const members = docSignal(replica.doc, readMembers);
    const lastStatus = createMemo((): DeliveryStatus | null => {
      const last = entries().get(roomId)?.lastMessage;
      if (!last?.position || last.authorId !== me || last.system) return null;
      return statusOf(aggregate(), earlier(), recipientsOf(room, members(), { authorId: me, createdAt: last.at }), last.position);
    });
    return { roomId, typing: watchTyping(replica, me), present: replica.present, lastStatus };
  });
  const byRoom = createMemo(() => new Map(heads().map((h) => [h.roomId, h])));
  return {
    /** Who is typing in a chat, if it is watched. */
    typingIn: (roomId: RoomId): string[] => byRoom().get(roomId)?.typing() ?? [],
    /** The ticks of a watched chat's last message, when it is one's own. */
    lastStatusIn: (roomId: RoomId): DeliveryStatus | null => byRoom().get(roomId)?.lastStatus() ?? null,
    /** Whether `userId` has Jeco open on a chat this device watches with them. */
    isOnline: (userId: UserId): boolean => heads().some((h) => h.present().has(userId)),
  };
}
