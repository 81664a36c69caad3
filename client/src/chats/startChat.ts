import { roomHeadDoc } from '../../../schema/docs/names';
import { initDm, initGroup } from '../../../schema/docs/roomHead';
import { dmRoomId, newGroupId, type RoomId, type UserId } from '../../../schema/ids';
import type { ReplicaManager } from '../sync/replicaManager';

/**
 * Opens the DM with `peer`, creating its room head if this replica has none. Works
 * offline: the id is deterministic, so two people starting it apart share one room.
 */
export async function startDm(replicas: ReplicaManager, me: UserId, peer: UserId): Promise<RoomId> {
  const roomId = dmRoomId(me, peer);
  await replicas.change(roomHeadDoc(roomId), (doc) => initDm(doc, me, Date.now()));
  return roomId;
}

/** Creates a group owned by `me`; the id is made here, so this works offline too. */
export async function createGroup(replicas: ReplicaManager, me: UserId, name: string, members: readonly UserId[]): Promise<RoomId> {
  const roomId = newGroupId();
  await replicas.change(roomHeadDoc(roomId), (doc) => initGroup(doc, { name, owner: me, members, now: Date.now() }));
  return roomId;
}
