/**
 * The shared store: Postgres through a pg Pool, for several sync-server processes on
 * one database. Whatever must hold across processes (compaction, migrations) is
 * serialised with advisory locks rather than by the process.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, or, sql, sum } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { RoomId, UserId } from '../../../schema/ids';
import type { MemberRole } from '../../../schema/docs/roomHead';
import { privacyColumns } from './db/store';
import type { PrivacySettings } from '../../../schema/privacy';
import type { DisappearingRow, InviteRow, FileRow, NewUser, ProjectionFlush, ProjectionMark, ProjectionWatermark, FormerMemberRow, ResetTokenRow, RoomMemberRow, RoomRow, SessionRow, Store, UserRow, WriteStats } from './db/store';
import { blocks, clientIds, docSnapshots, docUpdates, files, projectionMarks, projectionWatermarks, pushSubscriptions, resetTokens, roomMembers, formerMembers, disappearingRooms, groupInvites, rooms, sessions, users } from './db/pg';
import { GroupCommit } from './groupCommit';
import { PgPush } from './pgPush';
import { PgReceipts } from './pgReceipts';
import { anonymised, conflictOf, fold, normaliseUser, prefixMatch, toBuffer, toBytes, type LogRow, type Merge, type WriteDoc } from './rows';

/** Ids per statement of a batched claim: two bound values each, well under Postgres' 65,535 parameters. */
const CLAIM_CHUNK = 500;

const MIGRATIONS = fileURLToPath(new URL('./db/migrations/pg', import.meta.url));

/**
 * Advisory lock keys. Migrations take a single bigint key; compaction takes the
 * two-int form (namespace, hashtext(doc)), a separate key space per the Postgres docs,
 * so a doc hash can never collide with the migration lock.
 */
const MIGRATION_LOCK_KEY = 0x6a65636f; // "jeco"
const WRITE_LOCK_NAMESPACE = 0x6a656302;
const PROJECTION_LOCK_NAMESPACE = 0x6a656303;

/** Connects to `url`, applies pending migrations (one process at a time) and returns the store. */
export async function openPgStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client dropped by the server emits 'error' on the pool, which would crash
  // the process if unheard; the pool discards that client and the next query reconnects.
  pool.on('error', () => {});
  // A checked-out client is not covered by the pool's listener: when Postgres restarts
  // it gets the server's shutdown error (57P01) while a query is in flight, and unheard
  // that crashes the process. The query itself fails and its caller sees that.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await migrateLocked(pool);
    return new PgStore(pool, drizzle({ client: pool }));
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** drizzle's migrator is not safe to run from two processes at once, so replicas starting together queue here. */
async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** The pool or a transaction on it: anything that can run a select. */
type Reader = Pick<NodePgDatabase, 'select'>;

/** A doc's snapshot and log rows in append order; call inside a transaction so both reads agree. */
async function readLog(tx: Reader, docName: string, afterId = 0): Promise<{ snapshot: Buffer | null; rows: LogRow[]; coversId: number }> {
  const [snap] = await tx
    .select({ snapshot: docSnapshots.snapshot, coversId: docSnapshots.coversId })
    .from(docSnapshots)
    .where(eq(docSnapshots.docName, docName));
  const rows = await tx
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(and(eq(docUpdates.docName, docName), gt(docUpdates.id, afterId)))
    .orderBy(asc(docUpdates.id));
  const coversId = snap?.coversId ?? 0;
  // From the start, always the snapshot (one written before covers_id existed holds 0).
  return { snapshot: snap && (afterId === 0 || coversId > afterId) ? snap.snapshot : null, rows, coversId };
}

class PgStore implements Store {
  readonly dialect = 'postgres';
  readonly receipts: PgReceipts;
  readonly push: PgPush;
  readonly writeStats: WriteStats = { transactions: 0, bytes: 0 };
  private readonly appends: GroupCommit<{ docName: string; update: Uint8Array; mark?: ProjectionMark }>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: NodePgDatabase,
  ) {
    this.receipts = new PgReceipts(db);
    this.push = new PgPush(db);
    // One transaction (one commit round trip) per batch of appends.
    this.appends = new GroupCommit((items) =>
      this.db.transaction(async (tx) => {
        const rows = await tx
          .insert(docUpdates)
          .values(items.map(({ docName, update }) => ({ docName, update: toBuffer(update) })))
          .returning({ id: docUpdates.id });
        const marks = items.flatMap(({ mark }) => (mark ? [mark] : []));
        if (marks.length > 0) await tx.insert(projectionMarks).values(marks).onConflictDoNothing();
        this.counted(items.reduce((sum, { update }) => sum + update.byteLength, 0));
        // A multi-row INSERT … RETURNING returns rows in VALUES order (it is how Postgres executes it).
        return rows.map((row) => row.id);
      }),
    );
  }

  async createUser(user: NewUser): Promise<{ ok: true } | { conflict: 'username' | 'email' }> {
    const row = normaliseUser(user);
    const inserted = await this.db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
    if (inserted.length > 0) return { ok: true };
    const [byUsername, byEmail] = await Promise.all([
      this.getUserByUsername(row.username),
      row.email === null ? null : this.getUserByEmail(row.email),
    ]);
    return { conflict: conflictOf(row, byUsername, byEmail) };
  }

  async getUserById(id: UserId): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  async getUserByUsername(username: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.username, username.toLowerCase()));
    return row ?? null;
  }

  async getUserByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row ?? null;
  }

  async getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(users).where(inArray(users.id, [...ids]));
  }

  async searchUsers(prefix: string, limit: number): Promise<UserRow[]> {
    if (limit <= 0) return [];
    const match = and(isNull(users.deletedAt), prefixMatch([users.username, users.displayName], prefix));
    return this.db.select().from(users).where(match).orderBy(asc(users.username)).limit(limit);
  }

  async setEmail(id: UserId, email: string): Promise<'ok' | 'taken'> {
    const address = email.toLowerCase();
    try {
      await this.db.update(users).set({ email: address }).where(eq(users.id, id));
    } catch (error) {
      // The unique index refused it: another account has the address (23505 unique_violation).
      if ((error as { cause?: { code?: string }; code?: string }).cause?.code === '23505' || (error as { code?: string }).code === '23505') return 'taken';
      throw error;
    }
    return 'ok';
  }

  async setPasswordHash(id: UserId, passwordHash: string): Promise<void> {
    await this.db.update(users).set({ passwordHash }).where(eq(users.id, id));
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    await this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id));
    this.counted(0);
  }

  async createSession(session: SessionRow): Promise<void> {
    await this.db.insert(sessions).values(session);
  }

  async getSession(tokenHash: string): Promise<SessionRow | null> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
    return row ?? null;
  }

  async touchSession(tokenHash: string, expiresAt: number): Promise<void> {
    await this.db.update(sessions).set({ expiresAt }).where(eq(sessions.tokenHash, tokenHash));
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
  }

  async deleteUserSessions(userId: UserId): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.userId, userId));
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const expired = or(lte(sessions.expiresAt, now), lte(sessions.absoluteExpiresAt, now));
    const result = await this.db.delete(sessions).where(expired);
    return result.rowCount ?? 0;
  }

  async setProfile(id: UserId, profile: { displayName?: string; about?: string | null; pushPreview?: boolean; photo?: string | null }): Promise<void> {
    if (Object.values(profile).every((value) => value === undefined)) return;
    await this.db.update(users).set(profile).where(eq(users.id, id));
  }

  async deleteAccount(id: UserId, at: number, displayName: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, id));
      await tx.delete(sessions).where(eq(sessions.userId, id));
      await tx.delete(resetTokens).where(eq(resetTokens.userId, id));
      await tx
        .update(users)
        .set(anonymised(at, displayName))
        .where(and(eq(users.id, id), isNull(users.deletedAt)));
    });
  }

  async releaseUsername(username: string, deletedBefore: number): Promise<boolean> {
    const released = await this.db
      .update(users)
      .set({ username: sql`'~' || ${users.id}` })
      .where(and(eq(users.username, username.toLowerCase()), lte(users.deletedAt, deletedBefore)));
    return (released.rowCount ?? 0) > 0;
  }

  async setPrivacy(id: UserId, settings: Partial<PrivacySettings>): Promise<void> {
    const columns = privacyColumns(settings);
    if (Object.keys(columns).length === 0) return;
    await this.db.update(users).set(columns).where(eq(users.id, id));
  }

  async listUserSessions(userId: UserId): Promise<SessionRow[]> {
    return this.db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt));
  }

  async markSessionActive(tokenHash: string, at: number): Promise<void> {
    await this.db.update(sessions).set({ lastActiveAt: at }).where(eq(sessions.tokenHash, tokenHash));
  }

  async blockUser(blockerId: UserId, blockedId: UserId, at: number): Promise<void> {
    await this.db.insert(blocks).values({ blockerId, blockedId, createdAt: at }).onConflictDoNothing();
  }

  async unblockUser(blockerId: UserId, blockedId: UserId): Promise<void> {
    await this.db.delete(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
  }

  async listBlocked(blockerId: UserId): Promise<{ userId: UserId; at: number }[]> {
    return this.db
      .select({ userId: blocks.blockedId, at: blocks.createdAt })
      .from(blocks)
      .where(eq(blocks.blockerId, blockerId))
      .orderBy(desc(blocks.createdAt));
  }

  async isBlocked(blockerId: UserId, blockedId: UserId): Promise<boolean> {
    const rows = await this.db.select({ at: blocks.createdAt }).from(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
    return rows.length > 0;
  }

  async createResetToken(row: ResetTokenRow): Promise<void> {
    await this.db.insert(resetTokens).values(row);
  }

  async consumeResetToken(tokenHash: string, now: number): Promise<UserId | null> {
    // DELETE ... RETURNING: of two concurrent consumers exactly one gets the row.
    const [row] = await this.db.delete(resetTokens).where(eq(resetTokens.tokenHash, tokenHash)).returning();
    return row && row.expiresAt > now ? row.userId : null;
  }

  async getRoom(id: RoomId): Promise<RoomRow | null> {
    const [row] = await this.db.select().from(rooms).where(eq(rooms.id, id));
    return row ?? null;
  }

  async saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[], departed: readonly FormerMemberRow[] = []): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(rooms).values(room).onConflictDoNothing();
      // Lock the room row so two projections of one room replace the list one after the
      // other; otherwise their delete+insert pairs could interleave and collide.
      await tx.select({ id: rooms.id }).from(rooms).where(eq(rooms.id, room.id)).for('update');
      await tx.delete(roomMembers).where(eq(roomMembers.roomId, room.id));
      for (const gone of departed) {
        await tx
          .insert(formerMembers)
          .values({ roomId: room.id, userId: gone.userId, throughBucket: gone.throughBucket })
          .onConflictDoUpdate({ target: [formerMembers.roomId, formerMembers.userId], set: { throughBucket: sql`greatest(${formerMembers.throughBucket}, excluded.through_bucket)` } });
      }
      if (members.length === 0) return;
      await tx.insert(roomMembers).values(members.map((m) => ({ roomId: room.id, userId: m.userId, role: m.role })));
    });
    this.counted(0);
  }

  async getRoomMembers(id: RoomId): Promise<RoomMemberRow[]> {
    return this.db
      .select({ userId: roomMembers.userId, role: roomMembers.role })
      .from(roomMembers)
      .where(eq(roomMembers.roomId, id))
      .orderBy(asc(roomMembers.userId));
  }

  async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    const [row] = await this.db
      .select({ role: roomMembers.role })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)));
    return row?.role ?? null;
  }

  async getFormerThrough(roomId: RoomId, userId: UserId): Promise<number | null> {
    const [row] = await this.db
      .select({ through: formerMembers.throughBucket })
      .from(formerMembers)
      .where(and(eq(formerMembers.roomId, roomId), eq(formerMembers.userId, userId)));
    return row?.through ?? null;
  }

  async createInvite(row: InviteRow): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .update(groupInvites)
        .set({ revokedAt: row.createdAt })
        .where(and(eq(groupInvites.roomId, row.roomId), isNull(groupInvites.revokedAt)));
      await tx.insert(groupInvites).values(row);
    });
    this.counted(0);
  }

  async revokeInvites(roomId: RoomId, at: number): Promise<number> {
    const rows = await this.db
      .update(groupInvites)
      .set({ revokedAt: at })
      .where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)))
      .returning({ tokenHash: groupInvites.tokenHash });
    this.counted(0);
    return rows.length;
  }

  async getInvite(tokenHash: string): Promise<InviteRow | null> {
    const [row] = await this.db.select().from(groupInvites).where(eq(groupInvites.tokenHash, tokenHash));
    return row ?? null;
  }

  async getActiveInvite(roomId: RoomId): Promise<InviteRow | null> {
    const [row] = await this.db.select().from(groupInvites).where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)));
    return row ?? null;
  }

  async setDisappearing(roomId: RoomId, setting: { afterMs: number; since: number; fromBucket: number } | null): Promise<void> {
    if (!setting) await this.db.delete(disappearingRooms).where(eq(disappearingRooms.roomId, roomId));
    else {
      await this.db
        .insert(disappearingRooms)
        .values({ roomId, afterMs: setting.afterMs, since: setting.since, checkedBucket: setting.fromBucket })
        .onConflictDoUpdate({ target: disappearingRooms.roomId, set: { afterMs: setting.afterMs } });
    }
    this.counted(0);
  }

  async listDisappearing(): Promise<DisappearingRow[]> {
    return this.db.select().from(disappearingRooms).orderBy(asc(disappearingRooms.roomId));
  }

  async setDisappearingChecked(roomId: RoomId, bucket: number): Promise<void> {
    await this.db
      .update(disappearingRooms)
      .set({ checkedBucket: sql`greatest(${disappearingRooms.checkedBucket}, ${bucket})` })
      .where(eq(disappearingRooms.roomId, roomId));
    this.counted(0);
  }

  async claimClientIds(ids: readonly number[], userId: UserId): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    if (ids.length === 0) return owners;
    // One transaction: one commit however many ids an update brings.
    this.counted(0);
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < ids.length; i += CLAIM_CHUNK) {
        const chunk = ids.slice(i, i + CLAIM_CHUNK);
        await tx.insert(clientIds).values(chunk.map((clientId) => ({ clientId, userId }))).onConflictDoNothing();
        const rows = await tx.select().from(clientIds).where(inArray(clientIds.clientId, chunk));
        for (const row of rows) owners.set(row.clientId, row.userId);
      }
    });
    return owners;
  }

  async getClientIdOwners(ids: readonly number[]): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    for (let i = 0; i < ids.length; i += CLAIM_CHUNK) {
      const rows = await this.db.select().from(clientIds).where(inArray(clientIds.clientId, ids.slice(i, i + CLAIM_CHUNK)));
      for (const row of rows) owners.set(row.clientId, row.userId);
    }
    return owners;
  }

  appendUpdate(docName: string, update: Uint8Array, mark?: ProjectionMark): Promise<number> {
    return this.appends.add({ docName, update, ...(mark ? { mark } : {}) });
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }> {
    const { updates, lastId, snapshot } = await this.readAfter(docName, 0);
    return { snapshot, updates, lastId };
  }

  async loadUpdatesAfter(docName: string, afterId: number): Promise<{ updates: Uint8Array[]; lastId: number }> {
    const { updates, lastId, snapshot } = await this.readAfter(docName, afterId);
    return { updates: snapshot ? [snapshot, ...updates] : updates, lastId: Math.max(afterId, lastId) };
  }

  /** `within`: read in that transaction (a projection's, holding its lock) instead of a read-only one of its own. */
  private readAfter(docName: string, afterId: number, within?: Reader): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }> {
    const read = async (tx: Reader) => {
      const { snapshot, rows, coversId } = await readLog(tx, docName, afterId);
      return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId: rows.at(-1)?.id ?? coversId };
    };
    if (within) return read(within);
    // One snapshot of the database for both reads, so a compaction committing between
    // them cannot hide the rows it folded into a snapshot we did not see.
    return this.db.transaction(read, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

  async listProjectionMarks(): Promise<ProjectionMark[]> {
    return this.db.select().from(projectionMarks);
  }

  async getProjectionWatermarks(roomId: RoomId): Promise<ProjectionWatermark[]> {
    return this.db.select().from(projectionWatermarks).where(eq(projectionWatermarks.roomId, roomId)).orderBy(asc(projectionWatermarks.bucket));
  }

  async projectRoom(roomId: RoomId, project: (watermarks: ProjectionWatermark[], loadUpdatesAfter: Store['loadUpdatesAfter']) => Promise<ProjectionFlush>): Promise<void> {
    const flush = await this.db.transaction(async (tx) => {
      // Held until commit: projections of one room, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${PROJECTION_LOCK_NAMESPACE}, hashtext(${roomId}))`);
      const watermarks = await tx.select().from(projectionWatermarks).where(eq(projectionWatermarks.roomId, roomId)).orderBy(asc(projectionWatermarks.bucket));
      const flush = await project(watermarks, async (name, afterId) => {
        const { snapshot, updates, lastId } = await this.readAfter(name, afterId, tx);
        return { updates: snapshot ? [snapshot, ...updates] : updates, lastId: Math.max(afterId, lastId) };
      });
      if (flush.updates.length > 0) await tx.insert(docUpdates).values(flush.updates.map((u) => ({ docName: u.docName, update: toBuffer(u.update) })));
      for (const w of flush.watermarks) {
        await tx
          .insert(projectionWatermarks)
          .values(w)
          .onConflictDoUpdate({ target: [projectionWatermarks.roomId, projectionWatermarks.bucket], set: { length: w.length, messages: w.messages } });
      }
      for (const m of flush.clear) await tx.delete(projectionMarks).where(and(eq(projectionMarks.roomId, m.roomId), eq(projectionMarks.bucket, m.bucket)));
      return flush;
    });
    this.counted(flush.updates.reduce((sum, u) => sum + u.update.byteLength, 0));
  }

  async countUpdates(docName: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, docName));
    return row?.n ?? 0;
  }

  async compact(docName: string, merge: Merge): Promise<number> {
    return this.db.transaction(async (tx) => {
      // The server-write lock, held until commit: compactions of one doc, from any process,
      // run one at a time, and one asked for while a server write of the doc is committing
      // (a purge compacting the preview that write replaced) waits for it and folds its row.
      // Under its own lock it read the log before that row committed, and the replaced words
      // stayed in the snapshot with nothing left to ask for another compaction.
      await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const { snapshot, rows } = await readLog(tx, docName);
      const folded = fold(snapshot, rows, merge);
      if (!folded) return 0;
      const now = Date.now();
      const coversId = Math.max(...folded.ids);
      await tx
        .insert(docSnapshots)
        .values({ docName, snapshot: folded.snapshot, coversId, updatedAt: now })
        .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, coversId, updatedAt: now } });
      // Exactly the ids read, not `id <= max`: sequence values commit out of order, so a
      // row with a lower id may commit after our read, and it must survive. One array
      // parameter rather than one per id keeps clear of the 65535-parameter limit.
      await tx.delete(docUpdates).where(sql`${docUpdates.id} = any(${sql.param(folded.ids)}::bigint[])`);
      this.counted(folded.snapshot.byteLength);
      return folded.ids.length;
    });
  }

  async writeDoc(docName: string, write: WriteDoc, afterId = 0): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Held until commit: server writes to one doc, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const { snapshot, rows, coversId } = await readLog(tx, docName, afterId);
      const lastId = Math.max(afterId, rows.at(-1)?.id ?? coversId);
      const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId });
      if (update) await tx.insert(docUpdates).values({ docName, update: toBuffer(update) });
      this.counted(update?.byteLength ?? 0);
    });
  }

  async docExists(docName: string): Promise<boolean> {
    // One statement, one snapshot: a compaction cannot move the rows out from under it.
    const result = await this.db.execute<{ found: boolean }>(sql`select
      exists(select 1 from ${docUpdates} where ${docUpdates.docName} = ${docName})
      or exists(select 1 from ${docSnapshots} where ${docSnapshots.docName} = ${docName}) as found`);
    return result.rows[0]?.found === true;
  }

  async createFile(file: FileRow): Promise<void> {
    await this.db.insert(files).values(file);
  }

  async getFile(id: string): Promise<FileRow | null> {
    const [row] = await this.db.select().from(files).where(eq(files.id, id));
    return row ?? null;
  }

  async getFiles(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(files).where(inArray(files.id, [...ids]));
  }

  async userFileBytes(userId: UserId): Promise<number> {
    const [row] = await this.db.select({ bytes: sum(files.size) }).from(files).where(eq(files.uploaderId, userId));
    return Number(row?.bytes ?? 0);
  }

  async markFilesReferenced(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.update(files).set({ referencedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.referencedAt)));
  }

  async markFilesDeleted(ids: readonly string[], at: number): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return await this.db.update(files).set({ deletedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.deletedAt))).returning();
  }

  async unusedFiles(before: number, limit: number): Promise<FileRow[]> {
    return await this.db
      .select()
      .from(files)
      .where(or(and(isNull(files.referencedAt), lt(files.createdAt, before)), lt(files.deletedAt, before)))
      .limit(limit);
  }

  async deleteFiles(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.delete(files).where(inArray(files.id, [...ids]));
  }

  async blobInUse(sha256: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: files.id })
      .from(files)
      .where(and(isNull(files.deletedAt), or(eq(files.sha256, sha256), eq(files.thumbSha256, sha256))))
      .limit(1);
    return row !== undefined;
  }

  private counted(bytes: number): void {
    this.writeStats.transactions++;
    this.writeStats.bytes += bytes;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
