import type { Hocuspocus } from '@hocuspocus/server';
import { syncRefusal } from '#schema/api/errors';
import { parseDocName, roomOfDoc } from '#schema/docs/names';
import type { RoomId, UserId } from '#schema/ids';
import { closeConnections } from './context';

/**
 * Anyone connected here to the room's docs who is not a member now (removed, left, or
 * never one while the group was being created) is cut off at once (`removed`); a former
 * member's read-only connection to a bucket of their span stays. Projections call it
 * after a membership change this node projected, and for one another node projected.
 */
export function closeNonMembers(instance: Hocuspocus, roomId: RoomId, members: ReadonlySet<UserId>): void {
  closeConnections(instance, (context, name) => !members.has(context.user.id) && !context.former && roomIdOfName(name) === roomId, syncRefusal('removed'));
}

function roomIdOfName(name: string): RoomId | null {
  const ref = parseDocName(name);
  return ref ? (roomOfDoc(ref)?.id ?? null) : null;
}
