import type { Hocuspocus } from '@hocuspocus/server';
import type { Store } from '../../../schema/db/store';
import { readMembers, readMeta, type MemberRole } from '../../../schema/docs/roomHead';
import { roomHeadDoc, roomOfDoc, type DocRef } from '../../../schema/docs/names';
import type { RoomRef, UserId } from '../../../schema/ids';
import { DOC_READERS } from '../../../schema/access';

/** A user's standing in a room: a group role, `dm` for either person of a DM, `creating` for the first writer of a new group. */
export type Standing = MemberRole | 'dm' | 'creating' | null;

/**
 * Answers "may this user read this doc?" from the SQL projection of room heads, with
 * two cases the projection cannot know yet: a group whose head is loaded but not yet
 * projected (read its members from memory), and a group nobody has written yet (its
 * creator may connect, even offline-created; projection closes anyone else at once).
 */
export class Membership {
  constructor(
    private readonly store: Store,
    private readonly instance: () => Hocuspocus,
  ) {}

  async standing(room: RoomRef, userId: UserId): Promise<Standing> {
    if (room.kind === 'dm') return room.members.includes(userId) ? 'dm' : null;
    const role = await this.store.getMemberRole(room.id, userId);
    if (role) return role;
    if (await this.store.getRoom(room.id)) return null;
    const head = this.instance().documents.get(roomHeadDoc(room.id));
    if (head && readMeta(head)) return readMembers(head).get(userId)?.role ?? null;
    return (await this.store.docExists(roomHeadDoc(room.id))) ? null : 'creating';
  }

  async mayRead(doc: DocRef, userId: UserId): Promise<boolean> {
    const room = roomOfDoc(doc);
    if (room) return (await this.standing(room, userId)) !== null;
    if (doc.kind === 'roomHead' || doc.kind === 'bucket') return false;
    return DOC_READERS[doc.kind] === 'owner' && doc.userId === userId;
  }

  /** Who gets the room's chat index entries and notifications. */
  async members(room: RoomRef): Promise<UserId[]> {
    if (room.kind === 'dm') return [...room.members];
    return (await this.store.getRoomMembers(room.id)).map((m) => m.userId);
  }
}
