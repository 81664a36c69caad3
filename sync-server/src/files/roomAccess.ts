import { roomRole } from '#schema/access';
import type { Store } from '../store/db/store';
import { parseRoomId, type UserId } from '#schema/ids';

/**
 * Whether `userId` is in the room now: one of the two people of a DM, or a member of a
 * group per the SQL projection. Files follow the room: someone removed from a group
 * fetches nothing new from it, even files they uploaded there.
 */
export async function isRoomMember(store: Store, roomId: string, userId: UserId): Promise<boolean> {
  const room = parseRoomId(roomId);
  if (!room) return false;
  const role = room.kind === 'dm' ? roomRole(room, userId, undefined) : await store.getMemberRole(room.id, userId);
  return role != null;
}
