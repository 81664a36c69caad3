import { createEffect, createMemo, createResource, on, type Accessor } from 'solid-js';
import type { RoomReceiptsResponse } from '#schema/api/receipts';
import type { ShownMessage } from '#schema/docs/bucket';
import { markChatRead, type ChatEntry } from '#schema/docs/inbox';
import { reachedAt, readReceiptAggregate, readReceipts, recipientsOf, statusOf, type DeliveryStatus, type Position } from '#schema/docs/receipts';
import type { Member } from '#schema/docs/roomHead';
import type { MessageId, RoomRef, UserId } from '#schema/ids';
import { apiRequest } from '../api/apiRequest';
import { docSignal } from '../sync/docBindings';
import type { Replica } from '../sync/replica';
import type { ReadHere } from '../notifications/readHere';
import type { ReplicaManager } from '../sync/replicaManager';
import { pageVisible } from './pageVisible';
import { reportReceipt } from './receiptReporter';

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
  readHere: ReadHere;
}) {
  // The server's aggregate is what the ticks read; members' own keys only in a room that has none yet.
  const aggregate = docSignal(args.head.doc, readReceiptAggregate);
  const earlier = docSignal(args.head.doc, readReceipts);

  const recipients = (message: ShownMessage) => recipientsOf(args.room, args.members(), message);

  const status = (message: ShownMessage): DeliveryStatus => {
    const position = args.positionOf(message.id);
    return position ? statusOf(aggregate(), earlier(), recipients(message), position) : 'sent';
  };

  /**
   * "Message info": asked from the server when it opens, and again whenever the
   * room's aggregate moves while it is open. Undefined while loading; null when the
   * server cannot be asked (offline) and the room has no receipts of the earlier form.
   */
  const info = (message: ShownMessage): Accessor<RecipientReceipt[] | null | undefined> => {
    const source = () => {
      const position = args.positionOf(message.id);
      return position && { position, aggregate: aggregate() };
    };
    const [details] = createResource(source, async ({ position }): Promise<RecipientReceipt[] | null> => {
      const people = recipients(message);
      try {
        const query = `bucket=${position.bucket}&index=${position.index}`;
        const body = await apiRequest<RoomReceiptsResponse>('GET', `/rooms/${encodeURIComponent(args.room.id)}/receipts?${query}`);
        const byUser = new Map(body.receipts.map((r) => [r.userId, r]));
        return people.map((userId) => ({ userId, deliveredAt: byUser.get(userId)?.deliveredAt ?? null, readAt: byUser.get(userId)?.readAt ?? null }));
      } catch {
        if (earlier().size === 0) return null;
        return people.map((userId) => ({
          userId,
          deliveredAt: reachedAt(earlier().get(userId), 'delivered', position),
          readAt: reachedAt(earlier().get(userId), 'read', position),
        }));
      }
    });
    return () => (details.loading && details.latest === undefined ? undefined : details.latest);
  };

  // A write made from a stale local copy could win over a newer one from another of
  // one's devices: online, the read mark is written (and the receipt reported) only
  // once the head has synced.
  const mayWrite = () => args.head.loaded() && (args.head.synced() || args.replicas.status() === 'offline' || args.replicas.sessionEnded());
  const newest = createMemo(() => {
    const last = args.messages().at(-1);
    return last ? args.positionOf(last.id) : undefined;
  });
  createEffect(
    on([newest, pageVisible, mayWrite, () => args.entry()?.count], ([position, visible, ok, count]) => {
      if (!visible) return;
      // Seen here, whether or not the read mark may be written yet.
      if (position) args.readHere.saw(args.room.id, position);
      if (!ok) return;
      if (position) reportReceipt(args.head, 'read', position);
      if (count !== undefined) markChatRead(args.inbox.doc, args.room.id, count);
    }),
  );

  return { status, info };
}
