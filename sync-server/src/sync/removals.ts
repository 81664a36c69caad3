import { type Document, isTransactionOrigin, type Hocuspocus } from '@hocuspocus/server';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { syncRefusal } from '#schema/api/errors';
import { parseDocName, roomOfDoc } from '#schema/docs/names';
import { readMembers, readMeta } from '#schema/docs/roomHead';
import type { RoomId, UserId } from '#schema/ids';
import { closeConnections } from './context';
import { onNodeEvents } from './nodeEvents';
import type { ChainedExtension } from './extensionChain';

/** The Redis channel of removal events; apart from the relay's, whose subscriber reads every message as a Yjs frame. */
const REMOVALS_CHANNEL = 'jeco:removed';

/** A removal event as it travels between nodes (parsed: Redis is shared, not trusted blindly). */
const removalSchema = z.object({ roomId: z.string().min(1), userIds: z.array(z.string().min(1)).min(1) });

/**
 * Removal reaches every node. Projections close a removed member's connections on the
 * node where the head changed, and on nodes that hold the head (relayed changes); a
 * node holding only a bucket of the room never sees the head change, so the removed
 * member kept receiving its messages there. Here the node that accepted the change
 * from a client publishes "these people left this room" as an explicit event, and
 * every node (itself included) closes their connections to the room's docs with
 * `removed`, whatever docs it holds.
 *
 * Who was removed is the difference between the head's members before and after a
 * client's change, kept per loaded group head (O(members) per head change).
 */
export function removalsExtension(deps: { pub: Redis; subscriber: Redis; instance: () => Hocuspocus | undefined; log: (error: unknown, what: string) => void }): ChainedExtension {
  const membersOf = new Map<string, Set<UserId>>();

  const apply = (roomId: RoomId, removed: ReadonlySet<string>) => {
    const instance = deps.instance();
    if (!instance) return;
    closeConnections(
      instance,
      (context, documentName) => {
        if (!removed.has(context.user.id) || context.former) return false;
        const ref = parseDocName(documentName);
        return (ref && roomOfDoc(ref)?.id) === roomId;
      },
      syncRefusal('removed'),
    );
  };

  onNodeEvents(deps.subscriber, REMOVALS_CHANNEL, removalSchema, 'removal events', deps.log, (event) => apply(event.roomId as RoomId, new Set(event.userIds)));

  const groupMembers = (document: Document) => (readMeta(document)?.kind === 'group' ? new Set(readMembers(document).keys()) : null);

  return {
    extensionName: 'removals',
    async afterLoadDocument({ documentName, document }) {
      if (parseDocName(documentName)?.kind !== 'roomHead') return;
      membersOf.set(documentName, groupMembers(document) ?? new Set());
    },
    onChange({ documentName, document, transactionOrigin }) {
      const ref = parseDocName(documentName);
      if (ref?.kind !== 'roomHead') return;
      const now = groupMembers(document);
      if (!now) return;
      const before = membersOf.get(documentName) ?? new Set();
      membersOf.set(documentName, now);
      // Only the node that took the change from a client announces it: once per change.
      if (!isTransactionOrigin(transactionOrigin) || transactionOrigin.source !== 'connection') return;
      const removed = [...before].filter((id) => !now.has(id));
      if (removed.length === 0) return;
      apply(ref.room.id, new Set(removed));
      // With Redis down the publish waits; the node's own members were closed above.
      deps.pub.publish(REMOVALS_CHANNEL, JSON.stringify({ roomId: ref.room.id, userIds: removed })).catch((error: unknown) => deps.log(error, 'publishing a removal'));
    },
    async afterUnloadDocument({ documentName }) {
      membersOf.delete(documentName);
    },
  };
}
