import { createEffect, createMemo, on, type Accessor } from 'solid-js';
import type { ShownMessage } from '../../../schema/docs/bucket';
import { markChatRead, type ChatEntry } from '../../../schema/docs/inbox';
import { advanceReceipt, deliveryStatus, reachedAt, readReceipts, recipientsOf, type DeliveryStatus, type Position } from '../../../schema/docs/receipts';
import type { Member } from '../../../schema/docs/roomHead';
import type { MessageId, RoomRef, UserId } from '../../../schema/ids';
import { docSignal } from '../sync/docBindings';
import type { Replica } from '../sync/replica';
import type { ReplicaManager } from '../sync/replicaManager';
import { pageVisible } from './pageVisible';

/** One recipient's line in "Message info". */
export interface RecipientReceipt {
  userId: UserId;
  deliveredAt: number | null;
  readAt: number | null;
}

/**
 * Receipts of an open chat (design §7): the ticks under one's own messages, "Message
 * info", and one's own read mark, moved to the newest message while the chat is open
 * in a visible page.
 */
export function useReceipts(args: {
  replicas: ReplicaManager;
  room: RoomRef;
  head: Replica;
  inbox: Replica;
  me: UserId;
  members: Accessor<Map<UserId, Member>>;
  messages: Accessor<ShownMessage[]>;
  positionOf: (id: MessageId) => Position | undefined;
  entry: () => ChatEntry | undefined;
}) {
  const receipts = docSignal(args.head.doc, readReceipts);

  const recipients = (message: ShownMessage) => recipientsOf(args.room, args.members(), message);

  const status = (message: ShownMessage): DeliveryStatus => {
    const position = args.positionOf(message.id);
    return position ? deliveryStatus(receipts(), recipients(message), position) : 'sent';
  };

  const info = (message: ShownMessage): RecipientReceipt[] => {
    const position = args.positionOf(message.id);
    return recipients(message).map((userId) => {
      const receipt = receipts().get(userId);
      return {
        userId,
        deliveredAt: position ? reachedAt(receipt, 'delivered', position) : null,
        readAt: position ? reachedAt(receipt, 'read', position) : null,
      };
    });
  };

  // A write made from a stale local copy could win over a newer one from another of
  // one's devices: online, receipts are written only once the head has synced.
  const mayWrite = () => args.head.loaded() && (args.head.synced() || args.replicas.status() === 'offline' || args.replicas.sessionEnded());
  const newest = createMemo(() => {
    const last = args.messages().at(-1);
    return last ? args.positionOf(last.id) : undefined;
  });
  createEffect(
    on([newest, pageVisible, mayWrite, () => args.entry()?.count], ([position, visible, ok, count]) => {
      if (!visible || !ok) return;
      if (position) advanceReceipt(args.head.doc, args.me, 'read', position, Date.now());
      if (count !== undefined) markChatRead(args.inbox.doc, args.room.id, count);
    }),
  );

  return { status, info };
}
