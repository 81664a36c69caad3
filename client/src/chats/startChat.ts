import { addLocalRoom } from '#schema/docs/inbox';
import { inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { initDm, initGroup } from '#schema/docs/roomHead';
import { dmRoomId, newGroupId, type RoomId, type UserId } from '#schema/ids';
import type { ReplicaManager } from '../sync/replicaManager';

/**
 * Opens the DM with `peer`, creating its room head if this replica has none. Works
 * offline: the id is deterministic, so two people starting it apart share one room.
 * The chat shows in the list at once, before the server's index has it.
 */
export async function startDm(replicas: ReplicaManager, me: UserId, peer: { id: UserId; displayName: string }): Promise<RoomId> {
  const roomId = dmRoomId(me, peer.id);
  const now = Date.now();
  await replicas.change(roomHeadDoc(roomId), (doc) => initDm(doc, me, now));
  await replicas.change(inboxDoc(me), (doc) => addLocalRoom(doc, roomId, { kind: 'dm', title: peer.displayName, peerId: peer.id, createdAt: now }));
  return roomId;
}

/** Creates a group owned by `me`; the id is made here, so this works offline too. */
export async function createGroup(replicas: ReplicaManager, me: UserId, name: string, members: readonly UserId[]): Promise<RoomId> {
  const roomId = newGroupId();
  const now = Date.now();
  await replicas.change(roomHeadDoc(roomId), (doc) => initGroup(doc, { name, owner: me, members, now }));
  await replicas.change(inboxDoc(me), (doc) => addLocalRoom(doc, roomId, { kind: 'group', title: name.trim(), createdAt: now }));
  return roomId;
}
