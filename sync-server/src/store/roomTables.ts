/**
 * The rooms part of the store both dialects share (see `sqlStore.ts`): rooms, their
 * members and former members, invites, disappearing settings and client ids.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { RoomId, UserId } from '#schema/ids';
import type { MemberRole } from '#schema/docs/roomHead';
import type { DisappearingRow, FormerMemberRow, InviteRow, MemberCard, RoomMemberRow, RoomRow } from './db/store';
import { rows, run } from './dialects';
import { AccountTables } from './accountTables';

/** Ids per statement of a batched claim: two bound values each, well under either dialect's limit on bound values. */
const CLAIM_CHUNK = 500;

/** The lock space of a room's member list (Postgres advisory locks; see {@link Dialect.lock}). */
const ROOM_LOCK = 0x6a656304;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export abstract class RoomTables extends AccountTables {
  async getRoom(id: RoomId): Promise<RoomRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.rooms).where(eq(this.d.t.rooms.id, id));
    return row ?? null;
  }

  async saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[], departed: readonly FormerMemberRow[] = []): Promise<void> {
    const { d } = this;
    const { rooms, roomMembers, formerMembers } = d.t;
    await d.transaction(function* (tx) {
      yield* run(tx.insert(rooms).values(room).onConflictDoNothing());
      // Two saves of one room replace the list one after the other; otherwise their
      // delete+insert pairs could interleave and collide.
      yield* d.lock(tx, ROOM_LOCK, [room.id]);
      yield* run(tx.delete(roomMembers).where(eq(roomMembers.roomId, room.id)));
      for (const gone of departed) {
        const later = d.greatest(formerMembers.throughBucket, sql`excluded.through_bucket`);
        yield* run(
          tx
            .insert(formerMembers)
            .values({ roomId: room.id, userId: gone.userId, throughBucket: gone.throughBucket })
            .onConflictDoUpdate({ target: [formerMembers.roomId, formerMembers.userId], set: { throughBucket: later } }),
        );
      }
      if (members.length > 0) yield* run(tx.insert(roomMembers).values(members.map((m) => ({ roomId: room.id, userId: m.userId, role: m.role }))));
    });
    this.counted(0);
  }

  async getRoomMembers(id: RoomId): Promise<RoomMemberRow[]> {
    const { roomMembers } = this.d.t;
    return this.d.db.select({ userId: roomMembers.userId, role: roomMembers.role }).from(roomMembers).where(eq(roomMembers.roomId, id)).orderBy(asc(roomMembers.userId));
  }

  async getRoomMemberCards(id: RoomId): Promise<{ userId: UserId; card: MemberCard | null }[]> {
    const { roomMembers, users } = this.d.t;
    return this.d.db
      .select({ userId: roomMembers.userId, card: this.cardColumns })
      .from(roomMembers)
      .leftJoin(users, eq(users.id, roomMembers.userId))
      .where(eq(roomMembers.roomId, id))
      .orderBy(asc(roomMembers.userId));
  }

  async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    const { roomMembers } = this.d.t;
    const [row] = await this.d.db
      .select({ role: roomMembers.role })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
    return row?.role ?? null;
  }

  async getFormerThrough(roomId: RoomId, userId: UserId): Promise<number | null> {
    const { formerMembers } = this.d.t;
    const [row] = await this.d.db
      .select({ through: formerMembers.throughBucket })
      .from(formerMembers)
      .where(and(eq(formerMembers.roomId, roomId), eq(formerMembers.userId, userId)));
    return row?.through ?? null;
  }

  async createInvite(row: InviteRow): Promise<void> {
    const { groupInvites } = this.d.t;
    await this.d.transaction(function* (tx) {
      yield* run(
        tx
          .update(groupInvites)
          .set({ revokedAt: row.createdAt })
          .where(and(eq(groupInvites.roomId, row.roomId), isNull(groupInvites.revokedAt))),
      );
      yield* run(tx.insert(groupInvites).values(row));
    });
    this.counted(0);
  }

  async revokeInvites(roomId: RoomId, at: number): Promise<number> {
    const { groupInvites } = this.d.t;
    const revoked = await this.d.db
      .update(groupInvites)
      .set({ revokedAt: at })
      .where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)))
      .returning({ tokenHash: groupInvites.tokenHash });
    this.counted(0);
    return revoked.length;
  }

  async getInvite(tokenHash: string): Promise<InviteRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.groupInvites).where(eq(this.d.t.groupInvites.tokenHash, tokenHash));
    return row ?? null;
  }

  async getActiveInvite(roomId: RoomId): Promise<InviteRow | null> {
    const { groupInvites } = this.d.t;
    const [row] = await this.d.db
      .select()
      .from(groupInvites)
      .where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)));
    return row ?? null;
  }

  async setDisappearing(roomId: RoomId, setting: { afterMs: number; since: number; fromBucket: number } | null): Promise<void> {
    const { disappearingRooms } = this.d.t;
    if (!setting) await this.d.db.delete(disappearingRooms).where(eq(disappearingRooms.roomId, roomId));
    else {
      await this.d.db
        .insert(disappearingRooms)
        .values({ roomId, afterMs: setting.afterMs, since: setting.since, checkedBucket: setting.fromBucket })
        .onConflictDoUpdate({ target: disappearingRooms.roomId, set: { afterMs: setting.afterMs } });
    }
    this.counted(0);
  }

  async listDisappearing(): Promise<DisappearingRow[]> {
    return this.d.db.select().from(this.d.t.disappearingRooms).orderBy(asc(this.d.t.disappearingRooms.roomId));
  }

  async setDisappearingChecked(roomId: RoomId, bucket: number): Promise<void> {
    const { disappearingRooms } = this.d.t;
    await this.d.db
      .update(disappearingRooms)
      .set({ checkedBucket: this.d.greatest(disappearingRooms.checkedBucket, bucket) })
      .where(eq(disappearingRooms.roomId, roomId));
    this.counted(0);
  }

  async claimClientIds(ids: readonly number[], userId: UserId): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    if (ids.length === 0) return owners;
    const { clientIds } = this.d.t;
    // One transaction: one commit however many ids an update brings,
    // so a burst of new ids cannot stall the process.
    this.counted(0);
    // Without waiting for the disk: the update that uses the ids is appended after this
    // commit, by a commit that waits for it (and so for this one too); a power cut before
    // then loses both, and the client sends and claims again.
    await this.d.transaction(
      function* (tx) {
        for (const chunk of chunks(ids, CLAIM_CHUNK)) {
          yield* run(
            tx
              .insert(clientIds)
              .values(chunk.map((clientId) => ({ clientId, userId })))
              .onConflictDoNothing(),
          );
          for (const row of yield* rows(tx.select().from(clientIds).where(inArray(clientIds.clientId, chunk)))) owners.set(row.clientId, row.userId);
        }
      },
      { lazy: true },
    );
    return owners;
  }

  async getClientIdOwners(ids: readonly number[]): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    const { clientIds } = this.d.t;
    for (const chunk of chunks(ids, CLAIM_CHUNK)) {
      for (const row of await this.d.db.select().from(clientIds).where(inArray(clientIds.clientId, chunk))) owners.set(row.clientId, row.userId);
    }
    return owners;
  }
}
