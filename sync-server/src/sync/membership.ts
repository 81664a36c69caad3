import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { MemberCard, Store } from '../store/db/store';
import { readMeta, type MemberRole } from '#schema/docs/roomHead';
import { roomHeadDoc, roomOfDoc, type DocRef } from '#schema/docs/names';
import type { RoomRef, UserId } from '#schema/ids';
import { DOC_READERS, roomRole } from '#schema/access';
import { keepAtMost } from '#schema/bounded';

/** Users known to exist kept in memory; past this many the oldest are asked of the store again. */
const KNOWN_USERS_CACHE_SIZE = 50_000;

/**
 * A user's standing in a room: a group role, `dm` for either person of a DM, `creating`
 * for the first writer of a new group, `pending` while a new group's head is stored but
 * cannot be read yet (its first write is appended and not yet applied: ask again shortly).
 */
export type Standing = MemberRole | 'dm' | 'creating' | 'pending' | null;

/**
 * Answers "may this user read this doc?" from the SQL projection of room heads, with
 * two cases the projection cannot know yet: a group whose head is loaded but not yet
 * projected (read its members from memory), and a group nobody has written yet (its
 * creator may connect, even offline-created; projection closes anyone else at once).
 * A DM is one only with someone who exists: any `dm.<me>.<uuid>` parses, and would
 * otherwise open (and index) a chat with nobody.
 */
export class Membership {
  /** Users known to exist, oldest first. Only hits are kept: accounts are never deleted, and an id asked before sign-up must not stay refused. */
  private readonly knownUsers = new Set<UserId>();

  constructor(
    private readonly store: Store,
    private readonly instance: () => Hocuspocus,
    /** Reads a doc as the server (loading it if need be). */
    private readonly read: <T>(docName: string, look: (doc: Y.Doc) => T) => Promise<T>,
  ) {}

  /**
   * The role is `roomRole`'s, asked in another order than the guard asks it: at connect
   * the SQL projection comes first, as every node shares it, and a head loaded here is
   * asked only for a group the projection does not know yet. (The guard judges a write
   * against the head it is about to change, caught up to the log first.)
   */
  async standing(room: RoomRef, userId: UserId): Promise<Standing> {
    if (room.kind === 'dm') {
      if (!roomRole(room, userId, undefined)) return null;
      const peer = room.members[0] === userId ? room.members[1] : room.members[0];
      return (await this.userExists(peer)) ? 'dm' : null;
    }
    const role = await this.store.getMemberRole(room.id, userId);
    if (role) return role;
    if (await this.store.getRoom(room.id)) return null;
    const name = roomHeadDoc(room.id);
    const loaded = this.instance().documents.get(name);
    if (loaded && readMeta(loaded)) return roomRole(room, userId, loaded) ?? null;
    if (!(await this.store.docExists(name))) return 'creating';
    // Stored, not yet readable here. Loaded without its meta: its first write was
    // appended and is being applied (refusing then would turn the group's creator away
    // for good, as `forbidden` is not retried). Not loaded: another node's, or a crash
    // came between its append and its projection; read it.
    if (loaded) return 'pending';
    return this.read(name, (head) => (readMeta(head) ? (roomRole(room, userId, head) ?? null) : 'pending'));
  }

  /**
   * How this user may open this doc: as a `reader` (writes checked by the guard), as a
   * `former` member (read-only: a bucket from their time in the group), `not_yet` (a
   * group's bucket before its creation is in the store: the server's "created" line must
   * be its first message; or a new group's head whose first write is being applied:
   * come back shortly), or not at all (null).
   *
   * A former member reads the buckets up to the one holding the line that ended their
   * membership; the server starts a new bucket after that line, which they are refused.
   */
  async access(doc: DocRef, userId: UserId): Promise<'reader' | 'former' | 'not_yet' | null> {
    const room = roomOfDoc(doc);
    if (!room) {
      if (doc.kind === 'roomHead' || doc.kind === 'bucket') return null;
      return DOC_READERS[doc.kind] === 'owner' && doc.userId === userId ? 'reader' : null;
    }
    if (doc.kind !== 'bucket' || room.kind !== 'group') {
      const standing = await this.standing(room, userId);
      return standing === 'pending' ? 'not_yet' : standing !== null ? 'reader' : null;
    }
    if (await this.store.getMemberRole(room.id, userId)) return 'reader';
    const through = await this.store.getFormerThrough(room.id, userId);
    if (through !== null) return doc.bucket <= through ? 'former' : null;
    if (await this.store.getRoom(room.id)) return null;
    // Not projected yet: a member in the loaded head, or the creator, waits for it.
    return (await this.standing(room, userId)) !== null ? 'not_yet' : null;
  }

  private async userExists(userId: UserId): Promise<boolean> {
    if (this.knownUsers.has(userId)) return true;
    if (!(await this.store.getUserById(userId))) return false;
    this.knownUsers.add(userId);
    keepAtMost(this.knownUsers, KNOWN_USERS_CACHE_SIZE);
    return true;
  }

  /** Who gets the room's chat index entries and notifications. */
  async members(room: RoomRef): Promise<UserId[]> {
    if (room.kind === 'dm') return [...room.members];
    return (await this.store.getRoomMembers(room.id)).map((m) => m.userId);
  }

  /** {@link members}, with what a projection shows of each (a group's in one read): keyed by id, an id with no account left out. */
  async membersWithCards(room: RoomRef): Promise<{ members: UserId[]; cards: Map<UserId, MemberCard> }> {
    if (room.kind === 'dm') {
      const members = [...room.members];
      return { members, cards: await cardsById(this.store, members) };
    }
    const rows = await this.store.getRoomMemberCards(room.id);
    return { members: rows.map((row) => row.userId), cards: new Map(rows.flatMap(({ card }) => (card ? [[card.id, card] as const] : []))) };
  }
}

/** What a projection shows of these users (each once), by id; an id with no account left out. */
export async function cardsById(store: Store, ids: readonly UserId[]): Promise<Map<UserId, MemberCard>> {
  const cards = await store.getMemberCards([...new Set(ids)]);
  return new Map(cards.map((card) => [card.id, card]));
}
