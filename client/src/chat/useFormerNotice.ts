import { createEffect, type Accessor } from 'solid-js';
import type { ChatEntry } from '#schema/docs/inbox';
import { parseDocName, roomOfDoc } from '#schema/docs/names';
import type { Member, RoomMeta } from '#schema/docs/roomHead';
import type { RoomRef, UserId } from '#schema/ids';
import type { Replica } from '../sync/replica';
import type { ReplicaManager } from '../sync/replicaManager';

/** The open chat as its hooks see it. */
export interface OpenChat {
  replicas: ReplicaManager;
  room: RoomRef;
  head: Replica;
  me: UserId;
  meta: Accessor<RoomMeta | null>;
  members: Accessor<Map<UserId, Member>>;
  /** The chat's index entry: `former` once the owner left or was removed. */
  entry: () => ChatEntry | undefined;
}

/**
 * Why one is no longer in a group (removed, or left), or null: the history stays
 * readable, and the composer gives way to this line. Also reconnects the room's docs
 * when that changes (see below).
 */
export function useFormerNotice({ replicas, room, head, me, meta, members, entry }: OpenChat): Accessor<string | null> {
  // Added back to a group this tab was cut off from (its index entry stops being former):
  // the room's refused docs connect again. Removed or gone (it becomes former): its
  // buckets connect again, read-only, to get what was said up to the line that ended it
  // (the server cut them off first). Only on those changes, so never in a loop.
  let wasFormer = false;
  createEffect(() => {
    const former = !!entry()?.former;
    if (wasFormer !== former) {
      replicas.retryRefused((name) => {
        const ref = parseDocName(name);
        return !!ref && roomOfDoc(ref)?.id === room.id && (!former || ref.kind === 'bucket');
      });
    }
    wasFormer = former;
  });
  return () => {
    if (room.kind !== 'group') return null;
    const gone = entry()?.former ?? (head.refusal() === 'removed' || (meta() && !members().has(me)) ? 'left' : null);
    if (!gone) return null;
    return gone === 'removed' ? 'You were removed from this group.' : "You're no longer a participant in this group.";
  };
}
