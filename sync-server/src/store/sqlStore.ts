/**
 * The store's tables whose SQL is the same on both dialects, written once: accounts,
 * sessions, blocks, reset tokens, rooms and their members, invites, disappearing
 * settings, client ids and files. The doc log, where the dialects truly differ, is each
 * dialect's own (`sqliteStore.ts`, `pgStore.ts`), which extend this class: one Store
 * object, sharing one connection (SQLite's is the file's one writer) and one
 * `writeStats`, without forwarding every doc-log method through a wrapper. A dialect
 * may still override a method here with something faster (SQLite prepares the guard's
 * role look-ups once). Where the dialects spell SQL differently, {@link Dialect} says how.
 */
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql, sum } from 'drizzle-orm';
import type { RoomId, UserId } from '../../../schema/ids';
import type { MemberRole } from '../../../schema/docs/roomHead';
import type { PrivacySettings } from '../../../schema/privacy';
import { privacyColumns } from './db/store';
import type { DisappearingRow, FileRow, FormerMemberRow, InviteRow, NewUser, ResetTokenRow, RoomMemberRow, RoomRow, SessionRow, Store, UserRow, WriteStats } from './db/store';
import { rows, run, type Db, type Dialect, type Step } from './dialects';
import { anonymised, conflictOf, normaliseUser, prefixMatch } from './rows';

/** Ids per statement of a batched claim: two bound values each, well under either dialect's limit on bound values. */
const CLAIM_CHUNK = 500;

/** Lock spaces (Postgres advisory locks; see {@link Dialect.lock}), apart from the doc log's. */
const ROOM_LOCK = 0x6a656304;
const BLOB_LOCK = 0x6a656305;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type Shared = Omit<Store, 'dialect' | 'receipts' | 'push' | 'appendUpdate' | 'loadDoc' | 'loadUpdatesAfter' | 'listProjectionMarks' | 'getProjectionWatermarks' | 'projectRoom' | 'countUpdates' | 'compact' | 'writeDoc' | 'docExists' | 'ping' | 'close'>;

export abstract class SqlStore implements Shared {
  readonly writeStats: WriteStats = { transactions: 0, bytes: 0 };

  constructor(private readonly d: Dialect) {}

  /** Counts a durable write transaction of the sync path and the doc bytes it wrote. */
  protected counted(bytes: number): void {
    this.writeStats.transactions++;
    this.writeStats.bytes += bytes;
  }

  async createUser(user: NewUser): Promise<{ ok: true } | { conflict: 'username' | 'email' }> {
    const { db, t } = this.d;
    const row = normaliseUser(user);
    const inserted = await db.insert(t.users).values(row).onConflictDoNothing().returning({ id: t.users.id });
    if (inserted.length > 0) return { ok: true };
    const [byUsername, byEmail] = await Promise.all([this.getUserByUsername(row.username), row.email === null ? null : this.getUserByEmail(row.email)]);
    return { conflict: conflictOf(row, byUsername, byEmail) };
  }

  async getUserById(id: UserId): Promise<UserRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.users).where(eq(this.d.t.users.id, id));
    return row ?? null;
  }

  async getUserByUsername(username: string): Promise<UserRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.users).where(eq(this.d.t.users.username, username.toLowerCase()));
    return row ?? null;
  }

  async getUserByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.users).where(eq(this.d.t.users.email, email));
    return row ?? null;
  }

  async getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.d.db.select().from(this.d.t.users).where(inArray(this.d.t.users.id, [...ids]));
  }

  async searchUsers(prefix: string, limit: number): Promise<UserRow[]> {
    if (limit <= 0) return [];
    const { users } = this.d.t;
    const match = and(isNull(users.deletedAt), prefixMatch([users.username, users.displayName], prefix));
    return this.d.db.select().from(users).where(match).orderBy(asc(users.username)).limit(limit);
  }

  async setEmail(id: UserId, email: string): Promise<'ok' | 'taken'> {
    const { users } = this.d.t;
    try {
      await this.d.db.update(users).set({ email: email.toLowerCase() }).where(eq(users.id, id));
    } catch (error) {
      // The unique index refused it: another account has the address.
      if (this.d.isUniqueViolation(error)) return 'taken';
      throw error;
    }
    return 'ok';
  }

  async setPasswordHash(id: UserId, passwordHash: string): Promise<void> {
    await this.d.db.update(this.d.t.users).set({ passwordHash }).where(eq(this.d.t.users.id, id));
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    await this.d.db.update(this.d.t.users).set({ lastSeenAt: at }).where(eq(this.d.t.users.id, id));
    this.counted(0);
  }

  async setProfile(id: UserId, profile: { displayName?: string; about?: string | null; pushPreview?: boolean; photo?: string | null }): Promise<void> {
    if (Object.values(profile).every((value) => value === undefined)) return;
    await this.d.db.update(this.d.t.users).set(profile).where(eq(this.d.t.users.id, id));
  }

  async deleteAccount(id: UserId, at: number, displayName: string): Promise<void> {
    const { users, sessions, resetTokens, pushSubscriptions } = this.d.t;
    await this.d.transaction(function* (tx) {
      yield* run(tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, id)));
      yield* run(tx.delete(sessions).where(eq(sessions.userId, id)));
      yield* run(tx.delete(resetTokens).where(eq(resetTokens.userId, id)));
      yield* run(tx.update(users).set(anonymised(at, displayName)).where(and(eq(users.id, id), isNull(users.deletedAt))));
    });
  }

  async releaseUsername(username: string, deletedBefore: number): Promise<boolean> {
    const { users } = this.d.t;
    const released = await this.d.db
      .update(users)
      .set({ username: sql`'~' || ${users.id}` })
      .where(and(eq(users.username, username.toLowerCase()), lte(users.deletedAt, deletedBefore)))
      .returning({ id: users.id });
    return released.length > 0;
  }

  async setPrivacy(id: UserId, settings: Partial<PrivacySettings>): Promise<void> {
    const columns = privacyColumns(settings);
    if (Object.keys(columns).length === 0) return;
    await this.d.db.update(this.d.t.users).set(columns).where(eq(this.d.t.users.id, id));
  }

  async createSession(session: SessionRow): Promise<void> {
    await this.d.db.insert(this.d.t.sessions).values(session);
  }

  async getSession(tokenHash: string): Promise<SessionRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.sessions).where(eq(this.d.t.sessions.tokenHash, tokenHash));
    return row ?? null;
  }

  async touchSession(tokenHash: string, expiresAt: number): Promise<void> {
    await this.d.db.update(this.d.t.sessions).set({ expiresAt }).where(eq(this.d.t.sessions.tokenHash, tokenHash));
  }

  async markSessionActive(tokenHash: string, at: number): Promise<void> {
    await this.d.db.update(this.d.t.sessions).set({ lastActiveAt: at }).where(eq(this.d.t.sessions.tokenHash, tokenHash));
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.d.db.delete(this.d.t.sessions).where(eq(this.d.t.sessions.tokenHash, tokenHash));
  }

  async deleteUserSessions(userId: UserId): Promise<void> {
    await this.d.db.delete(this.d.t.sessions).where(eq(this.d.t.sessions.userId, userId));
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const { sessions } = this.d.t;
    const expired = or(lte(sessions.expiresAt, now), lte(sessions.absoluteExpiresAt, now));
    return (await this.d.db.delete(sessions).where(expired).returning({ tokenHash: sessions.tokenHash })).length;
  }

  async listUserSessions(userId: UserId): Promise<SessionRow[]> {
    const { sessions } = this.d.t;
    return this.d.db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt));
  }

  async blockUser(blockerId: UserId, blockedId: UserId, at: number): Promise<void> {
    await this.d.db.insert(this.d.t.blocks).values({ blockerId, blockedId, createdAt: at }).onConflictDoNothing();
  }

  async unblockUser(blockerId: UserId, blockedId: UserId): Promise<void> {
    const { blocks } = this.d.t;
    await this.d.db.delete(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
  }

  async listBlocked(blockerId: UserId): Promise<{ userId: UserId; at: number }[]> {
    const { blocks } = this.d.t;
    return this.d.db.select({ userId: blocks.blockedId, at: blocks.createdAt }).from(blocks).where(eq(blocks.blockerId, blockerId)).orderBy(desc(blocks.createdAt));
  }

  async isBlocked(blockerId: UserId, blockedId: UserId): Promise<boolean> {
    const { blocks } = this.d.t;
    const found = await this.d.db.select({ at: blocks.createdAt }).from(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
    return found.length > 0;
  }

  async createResetToken(row: ResetTokenRow): Promise<void> {
    await this.d.db.insert(this.d.t.resetTokens).values(row);
  }

  async consumeResetToken(tokenHash: string, now: number): Promise<UserId | null> {
    // DELETE … RETURNING: of two concurrent consumers exactly one gets the row.
    const [row] = await this.d.db.delete(this.d.t.resetTokens).where(eq(this.d.t.resetTokens.tokenHash, tokenHash)).returning();
    return row && row.expiresAt > now ? row.userId : null;
  }

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
      yield* d.lock(tx, ROOM_LOCK, room.id);
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

  async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    const { roomMembers } = this.d.t;
    const [row] = await this.d.db.select({ role: roomMembers.role }).from(roomMembers).where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
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
      yield* run(tx.update(groupInvites).set({ revokedAt: row.createdAt }).where(and(eq(groupInvites.roomId, row.roomId), isNull(groupInvites.revokedAt))));
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
    const [row] = await this.d.db.select().from(groupInvites).where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)));
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
    // One transaction: one commit (one fsync on SQLite) however many ids an update brings,
    // so a burst of new ids cannot stall the process.
    this.counted(0);
    await this.d.transaction(function* (tx) {
      for (const chunk of chunks(ids, CLAIM_CHUNK)) {
        yield* run(tx.insert(clientIds).values(chunk.map((clientId) => ({ clientId, userId }))).onConflictDoNothing());
        for (const row of yield* rows(tx.select().from(clientIds).where(inArray(clientIds.clientId, chunk)))) owners.set(row.clientId, row.userId);
      }
    });
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

  async createFile(file: FileRow): Promise<void> {
    await this.d.db.insert(this.d.t.files).values(file);
  }

  async getFile(id: string): Promise<FileRow | null> {
    const [row] = await this.d.db.select().from(this.d.t.files).where(eq(this.d.t.files.id, id));
    return row ?? null;
  }

  async getFiles(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.d.db.select().from(this.d.t.files).where(inArray(this.d.t.files.id, [...ids]));
  }

  async userFileBytes(userId: UserId): Promise<number> {
    const { files } = this.d.t;
    const [row] = await this.d.db.select({ bytes: sum(files.size) }).from(files).where(eq(files.uploaderId, userId));
    return Number(row?.bytes ?? 0);
  }

  async markFilesReferenced(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    const { files } = this.d.t;
    await this.d.db.update(files).set({ referencedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.referencedAt)));
  }

  async unusedFiles(before: number, limit: number): Promise<FileRow[]> {
    const { files } = this.d.t;
    return this.d.db
      .select()
      .from(files)
      .where(or(and(isNull(files.referencedAt), lt(files.createdAt, before)), lt(files.deletedAt, before)))
      .limit(limit);
  }

  async markFilesDeleted(ids: readonly string[], at: number): Promise<{ files: FileRow[]; freed: string[] }> {
    if (ids.length === 0) return { files: [], freed: [] };
    const { files } = this.d.t;
    const freed = this.freedBlobs.bind(this);
    return this.d.transaction(function* (tx) {
      const marked = yield* rows(tx.update(files).set({ deletedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.deletedAt))).returning());
      return { files: marked, freed: yield* freed(tx, marked) };
    });
  }

  async deleteFiles(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { files } = this.d.t;
    const freed = this.freedBlobs.bind(this);
    return this.d.transaction(function* (tx) {
      return yield* freed(tx, yield* rows(tx.delete(files).where(inArray(files.id, [...ids])).returning()));
    });
  }

  /**
   * The blobs `gone` named (bytes or thumbnails) that no live row names, read in the
   * transaction that retired or deleted `gone`. Each blob's lock is held from the check to
   * the commit, so of two transactions freeing the last rows of one blob the later one
   * sees the earlier one's rows gone and names it.
   */
  private *freedBlobs(tx: Db, gone: readonly FileRow[]): Generator<Step, string[], unknown> {
    const names = [...new Set(gone.flatMap((f) => (f.thumbSha256 ? [f.sha256, f.thumbSha256] : [f.sha256])))].sort();
    if (names.length === 0) return [];
    for (const name of names) yield* this.d.lock(tx, BLOB_LOCK, name);
    const { files } = this.d.t;
    const live = yield* rows(
      tx
        .select({ sha256: files.sha256, thumbSha256: files.thumbSha256 })
        .from(files)
        .where(and(isNull(files.deletedAt), or(inArray(files.sha256, names), inArray(files.thumbSha256, names)))),
    );
    const used = new Set(live.flatMap((f) => [f.sha256, f.thumbSha256]));
    return names.filter((name) => !used.has(name));
  }
}
