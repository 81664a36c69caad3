/**
 * The embedded store: one SQLite file through better-sqlite3. The driver is
 * synchronous, so most methods do their work before returning a settled promise. The
 * doc log's commits (appends, projection flushes) run on a writer thread with its own
 * connection (`sqliteWriter.ts`), so the event loop does not wait for their fsyncs; a
 * resolved {@link Store.appendUpdate} has still committed.
 */
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, count, desc, eq, inArray, isNull, lt, lte, or, sql, sum } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { RoomId, UserId } from '../../../schema/ids';
import type { MemberRole } from '../../../schema/docs/roomHead';
import { privacyColumns } from '../../../schema/db/store';
import type { PrivacySettings } from '../../../schema/privacy';
import type { DisappearingRow, InviteRow, FileRow, NewUser, ProjectionFlush, ProjectionMark, ProjectionWatermark, FormerMemberRow, ResetTokenRow, RoomMemberRow, RoomRow, SessionRow, Store, UserRow, WriteStats } from '../../../schema/db/store';
import {
  blocks,
  clientIds,
  docSnapshots,
  docUpdates,
  files,
  projectionMarks,
  pushSubscriptions,
  resetTokens,
  roomMembers,
  formerMembers,
  disappearingRooms,
  groupInvites,
  rooms,
  sessions,
  users,
} from '../../../schema/db/sqlite';
import { GroupCommit } from './groupCommit';
import { SqlitePush } from './sqlitePush';
import { SqliteReceipts } from './sqliteReceipts';
import { prepareStatements, type SqliteStatements } from './sqliteStatements';
import { startWorkerWriter, threadWriter, type AppendItem, type LogWriter } from './sqliteWriter';
import { anonymised, conflictOf, fold, normaliseUser, prefixMatch, toBuffer, toBytes, type LogRow, type Merge, type WriteDoc } from './rows';

/** Ids per statement of a batched claim: two bound values each, well under SQLite's variable limit. */
const CLAIM_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const MIGRATIONS = fileURLToPath(new URL('../../../schema/db/migrations/sqlite', import.meta.url));

/** How long a write waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating if needed) the SQLite database at `file`, or `:memory:`, and migrates it. */
export async function openSqliteStore(file: string): Promise<Store> {
  const sqlite = new Database(file);
  try {
    // WAL lets readers run beside the one writer; FULL makes each commit survive power
    // loss too, which "sent means durable" needs (NORMAL may lose the last commits).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const db = drizzle({ client: sqlite });
    migrate(db, { migrationsFolder: MIGRATIONS });
    // An in-memory database is this connection's alone: no second connection can write it.
    const writer = sqlite.memory ? null : await startWorkerWriter(file, BUSY_TIMEOUT_MS);
    return new SqliteStore(sqlite, db, writer);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  readonly receipts: SqliteReceipts;
  readonly push: SqlitePush;
  readonly writeStats: WriteStats = { transactions: 0, bytes: 0 };
  private readonly appends: GroupCommit<AppendItem>;
  private readonly q: SqliteStatements;
  /** Commits the doc log's writes: a worker thread for a file, this thread for `:memory:`. */
  private readonly writer: LogWriter;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
    writer: LogWriter | null,
  ) {
    this.receipts = new SqliteReceipts(db);
    this.push = new SqlitePush(db);
    this.q = prepareStatements(db);
    this.writer = writer ?? threadWriter(sqlite, this.q);
    // One immediate transaction (one fsync with synchronous=FULL) per batch of appends.
    this.appends = new GroupCommit(async (items) => {
      const ids = await this.writer.append(items);
      this.counted(items.reduce((sum, { update }) => sum + update.byteLength, 0));
      return ids;
    });
  }

  async createUser(user: NewUser): Promise<{ ok: true } | { conflict: 'username' | 'email' }> {
    const row = normaliseUser(user);
    const inserted = this.db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id }).all();
    if (inserted.length > 0) return { ok: true };
    const byEmail = row.email === null ? null : await this.getUserByEmail(row.email);
    return { conflict: conflictOf(row, await this.getUserByUsername(row.username), byEmail) };
  }

  async getUserById(id: UserId): Promise<UserRow | null> {
    return this.db.select().from(users).where(eq(users.id, id)).get() ?? null;
  }

  async getUserByUsername(username: string): Promise<UserRow | null> {
    return this.db.select().from(users).where(eq(users.username, username.toLowerCase())).get() ?? null;
  }

  async getUserByEmail(email: string): Promise<UserRow | null> {
    return this.db.select().from(users).where(eq(users.email, email)).get() ?? null;
  }

  async getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(users).where(inArray(users.id, [...ids])).all();
  }

  async searchUsers(prefix: string, limit: number): Promise<UserRow[]> {
    if (limit <= 0) return [];
    return this.db
      .select()
      .from(users)
      .where(and(isNull(users.deletedAt), prefixMatch([users.username, users.displayName], prefix)))
      .orderBy(asc(users.username))
      .limit(limit)
      .all();
  }

  async setEmail(id: UserId, email: string): Promise<'ok' | 'taken'> {
    const address = email.toLowerCase();
    const owner = await this.getUserByEmail(address);
    if (owner) return owner.id === id ? 'ok' : 'taken';
    // The one writer: nobody can take the address between the look-up and this update.
    this.db.update(users).set({ email: address }).where(eq(users.id, id)).run();
    return 'ok';
  }

  async setPasswordHash(id: UserId, passwordHash: string): Promise<void> {
    this.db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id)).run();
    this.counted(0);
  }

  async createSession(session: SessionRow): Promise<void> {
    this.db.insert(sessions).values(session).run();
  }

  async getSession(tokenHash: string): Promise<SessionRow | null> {
    return this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get() ?? null;
  }

  async touchSession(tokenHash: string, expiresAt: number): Promise<void> {
    this.db.update(sessions).set({ expiresAt }).where(eq(sessions.tokenHash, tokenHash)).run();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
  }

  async deleteUserSessions(userId: UserId): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.userId, userId)).run();
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.db
      .delete(sessions)
      .where(or(lte(sessions.expiresAt, now), lte(sessions.absoluteExpiresAt, now)))
      .run().changes;
  }

  async setProfile(id: UserId, profile: { displayName?: string; about?: string | null; pushPreview?: boolean; photo?: string | null }): Promise<void> {
    if (Object.values(profile).every((value) => value === undefined)) return;
    this.db.update(users).set(profile).where(eq(users.id, id)).run();
  }

  async deleteAccount(id: UserId, at: number, displayName: string): Promise<void> {
    this.db.transaction(
      (tx) => {
        tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, id)).run();
        tx.delete(sessions).where(eq(sessions.userId, id)).run();
        tx.delete(resetTokens).where(eq(resetTokens.userId, id)).run();
        tx.update(users)
          .set(anonymised(at, displayName))
          .where(and(eq(users.id, id), isNull(users.deletedAt)))
          .run();
      },
      { behavior: 'immediate' },
    );
  }

  async releaseUsername(username: string, deletedBefore: number): Promise<boolean> {
    const released = this.db
      .update(users)
      .set({ username: sql`'~' || ${users.id}` })
      .where(and(eq(users.username, username.toLowerCase()), lte(users.deletedAt, deletedBefore)))
      .run();
    return released.changes > 0;
  }

  async setPrivacy(id: UserId, settings: Partial<PrivacySettings>): Promise<void> {
    const columns = privacyColumns(settings);
    if (Object.keys(columns).length === 0) return;
    this.db.update(users).set(columns).where(eq(users.id, id)).run();
  }

  async listUserSessions(userId: UserId): Promise<SessionRow[]> {
    return this.db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt)).all();
  }

  async markSessionActive(tokenHash: string, at: number): Promise<void> {
    this.db.update(sessions).set({ lastActiveAt: at }).where(eq(sessions.tokenHash, tokenHash)).run();
  }

  async blockUser(blockerId: UserId, blockedId: UserId, at: number): Promise<void> {
    this.db.insert(blocks).values({ blockerId, blockedId, createdAt: at }).onConflictDoNothing().run();
  }

  async unblockUser(blockerId: UserId, blockedId: UserId): Promise<void> {
    this.db.delete(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId))).run();
  }

  async listBlocked(blockerId: UserId): Promise<{ userId: UserId; at: number }[]> {
    return this.db
      .select({ userId: blocks.blockedId, at: blocks.createdAt })
      .from(blocks)
      .where(eq(blocks.blockerId, blockerId))
      .orderBy(desc(blocks.createdAt))
      .all();
  }

  async isBlocked(blockerId: UserId, blockedId: UserId): Promise<boolean> {
    const row = this.db.select({ at: blocks.createdAt }).from(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId))).get();
    return row !== undefined;
  }

  async createResetToken(row: ResetTokenRow): Promise<void> {
    this.db.insert(resetTokens).values(row).run();
  }

  async consumeResetToken(tokenHash: string, now: number): Promise<UserId | null> {
    const row = this.db.delete(resetTokens).where(eq(resetTokens.tokenHash, tokenHash)).returning().get();
    return row && row.expiresAt > now ? row.userId : null;
  }

  async getRoom(id: RoomId): Promise<RoomRow | null> {
    return this.db.select().from(rooms).where(eq(rooms.id, id)).get() ?? null;
  }

  async saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[], departed: readonly FormerMemberRow[] = []): Promise<void> {
    this.db.transaction(
      (tx) => {
        tx.insert(rooms).values(room).onConflictDoNothing().run();
        tx.delete(roomMembers).where(eq(roomMembers.roomId, room.id)).run();
        for (const gone of departed) {
          tx.insert(formerMembers)
            .values({ roomId: room.id, userId: gone.userId, throughBucket: gone.throughBucket })
            .onConflictDoUpdate({ target: [formerMembers.roomId, formerMembers.userId], set: { throughBucket: sql`max(${formerMembers.throughBucket}, excluded.through_bucket)` } })
            .run();
        }
        if (members.length === 0) return;
        tx.insert(roomMembers)
          .values(members.map((m) => ({ roomId: room.id, userId: m.userId, role: m.role })))
          .run();
      },
      // Take the write lock up front: a deferred transaction that reads then writes can
      // fail with SQLITE_BUSY instead of waiting when another process writes meanwhile.
      { behavior: 'immediate' },
    );
    this.counted(0);
  }

  async getRoomMembers(id: RoomId): Promise<RoomMemberRow[]> {
    return this.q.members(id);
  }

  async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    return this.q.role(roomId, userId);
  }

  async getFormerThrough(roomId: RoomId, userId: UserId): Promise<number | null> {
    const row = this.db
      .select({ through: formerMembers.throughBucket })
      .from(formerMembers)
      .where(and(eq(formerMembers.roomId, roomId), eq(formerMembers.userId, userId)))
      .get();
    return row?.through ?? null;
  }

  async createInvite(row: InviteRow): Promise<void> {
    this.db.transaction(
      (tx) => {
        tx.update(groupInvites)
          .set({ revokedAt: row.createdAt })
          .where(and(eq(groupInvites.roomId, row.roomId), isNull(groupInvites.revokedAt)))
          .run();
        tx.insert(groupInvites).values(row).run();
      },
      { behavior: 'immediate' },
    );
    this.counted(0);
  }

  async revokeInvites(roomId: RoomId, at: number): Promise<number> {
    const result = this.db
      .update(groupInvites)
      .set({ revokedAt: at })
      .where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt)))
      .run();
    this.counted(0);
    return result.changes;
  }

  async getInvite(tokenHash: string): Promise<InviteRow | null> {
    return this.db.select().from(groupInvites).where(eq(groupInvites.tokenHash, tokenHash)).get() ?? null;
  }

  async getActiveInvite(roomId: RoomId): Promise<InviteRow | null> {
    return this.db.select().from(groupInvites).where(and(eq(groupInvites.roomId, roomId), isNull(groupInvites.revokedAt))).get() ?? null;
  }

  async setDisappearing(roomId: RoomId, setting: { afterMs: number; since: number; fromBucket: number } | null): Promise<void> {
    if (!setting) this.db.delete(disappearingRooms).where(eq(disappearingRooms.roomId, roomId)).run();
    else {
      this.db
        .insert(disappearingRooms)
        .values({ roomId, afterMs: setting.afterMs, since: setting.since, checkedBucket: setting.fromBucket })
        .onConflictDoUpdate({ target: disappearingRooms.roomId, set: { afterMs: setting.afterMs } })
        .run();
    }
    this.counted(0);
  }

  async listDisappearing(): Promise<DisappearingRow[]> {
    return this.db.select().from(disappearingRooms).orderBy(asc(disappearingRooms.roomId)).all();
  }

  async setDisappearingChecked(roomId: RoomId, bucket: number): Promise<void> {
    this.db
      .update(disappearingRooms)
      .set({ checkedBucket: sql`max(${disappearingRooms.checkedBucket}, ${bucket})` })
      .where(eq(disappearingRooms.roomId, roomId))
      .run();
    this.counted(0);
  }

  async claimClientIds(ids: readonly number[], userId: UserId): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    if (ids.length === 0) return owners;
    // One transaction: one fsync however many ids, so a burst of new ids cannot stall the process.
    this.counted(0);
    this.db.transaction((tx) => {
      for (const chunk of chunks(ids, CLAIM_CHUNK)) {
        tx.insert(clientIds).values(chunk.map((clientId) => ({ clientId, userId }))).onConflictDoNothing().run();
        const rows = tx.select().from(clientIds).where(inArray(clientIds.clientId, chunk)).all();
        for (const row of rows) owners.set(row.clientId, row.userId);
      }
    });
    return owners;
  }

  async getClientIdOwners(ids: readonly number[]): Promise<Map<number, UserId>> {
    const owners = new Map<number, UserId>();
    for (const chunk of chunks(ids, CLAIM_CHUNK)) {
      for (const row of this.db.select().from(clientIds).where(inArray(clientIds.clientId, chunk)).all()) owners.set(row.clientId, row.userId);
    }
    return owners;
  }

  appendUpdate(docName: string, update: Uint8Array, mark?: ProjectionMark): Promise<number> {
    return this.appends.add({ docName, update, ...(mark ? { mark } : {}) });
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }> {
    // One read transaction, so a compaction committed by another process cannot land
    // between reading the snapshot and reading the rows it folded in.
    return this.db.transaction(() => {
      const { snapshot, rows } = this.q.readLog(docName);
      return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId: this.lastIdOf(docName, rows) };
    });
  }

  async loadUpdatesAfter(docName: string, afterId: number): Promise<{ updates: Uint8Array[]; lastId: number }> {
    return this.db.transaction(() => {
      const { snapshot, rows } = this.q.readLog(docName, afterId);
      const updates = rows.map((r) => toBytes(r.update));
      return { updates: snapshot ? [toBytes(snapshot), ...updates] : updates, lastId: Math.max(afterId, this.lastIdOf(docName, rows)) };
    });
  }

  /** The highest row id read, or the snapshot's when every row is folded into it. */
  private lastIdOf(docName: string, rows: readonly LogRow[]): number {
    return rows.at(-1)?.id ?? this.q.coversId(docName);
  }

  async listProjectionMarks(): Promise<ProjectionMark[]> {
    return this.db.select().from(projectionMarks).all();
  }

  async getProjectionWatermarks(roomId: RoomId): Promise<ProjectionWatermark[]> {
    return this.q.watermarks(roomId);
  }

  async projectRoom(roomId: RoomId, project: (watermarks: ProjectionWatermark[], loadUpdatesAfter: Store['loadUpdatesAfter']) => Promise<ProjectionFlush>): Promise<void> {
    // One process writes this file, and the caller queues a room's projections one at a
    // time, so the watermarks cannot move between this read and the commit below.
    const flush = await project(await this.getProjectionWatermarks(roomId), (name, afterId) => this.loadUpdatesAfter(name, afterId));
    // Without its own fsync: derived data. The WAL is written in order, so the next
    // fsync'd append commit makes this one durable too; until then a power loss loses it
    // together with nothing acknowledged, and the marks it cleared are still on disk, so
    // the projection is recomputed on start. (A process crash loses nothing: the WAL is
    // in the OS's cache.) One fsync per message instead of two.
    await this.writer.flush(flush);
    this.counted(flush.updates.reduce((sum, u) => sum + u.update.byteLength, 0));
  }

  async writeDoc(docName: string, write: WriteDoc, afterId = 0): Promise<void> {
    // An immediate transaction holds SQLite's single write lock throughout; `exclusive`
    // runs it once the writer thread's commits asked before it are done.
    await this.writer.exclusive(() =>
      this.db.transaction(
        () => {
          const { snapshot, rows } = this.q.readLog(docName, afterId);
          const lastId = Math.max(afterId, this.lastIdOf(docName, rows));
          const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)), lastId });
          if (update) {
            this.q.append(docName, toBuffer(update));
            this.counted(update.byteLength);
          }
        },
        { behavior: 'immediate' },
      ),
    );
  }

  async countUpdates(docName: string): Promise<number> {
    const row = this.db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, docName)).get();
    return row?.n ?? 0;
  }

  async compact(docName: string, merge: Merge): Promise<number> {
    // Like writeDoc: after the writer thread's commits asked before it, holding the single writer.
    return this.writer.exclusive(() =>
      this.db.transaction(
        (tx) => {
          const { snapshot, rows } = this.q.readLog(docName);
          const folded = fold(snapshot, rows, merge);
          if (!folded) return 0;
          const coversId = folded.ids[folded.ids.length - 1]!;
          tx.insert(docSnapshots)
            .values({ docName, snapshot: folded.snapshot, coversId, updatedAt: Date.now() })
            .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, coversId, updatedAt: Date.now() } })
            .run();
          // The immediate transaction holds SQLite's single write lock from the start, so
          // no other writer can slip a lower id in: deleting up to the highest id read is
          // exactly the rows read, without one bound parameter per row (SQLite caps those).
          // Rows the merge callback itself appended get higher ids and are kept.
          this.counted(folded.snapshot.byteLength);
          const last = folded.ids[folded.ids.length - 1]!;
          tx.delete(docUpdates)
            .where(and(eq(docUpdates.docName, docName), lte(docUpdates.id, last)))
            .run();
          return folded.ids.length;
        },
        { behavior: 'immediate' },
      ),
    );
  }

  async docExists(docName: string): Promise<boolean> {
    // Log rows first: compaction writes the snapshot before deleting them, so checking in
    // this order cannot miss a doc that is being compacted by another process.
    const row = this.db.select({ id: docUpdates.id }).from(docUpdates).where(eq(docUpdates.docName, docName)).limit(1).get();
    if (row) return true;
    const snap = this.db.select({ docName: docSnapshots.docName }).from(docSnapshots).where(eq(docSnapshots.docName, docName)).get();
    return snap !== undefined;
  }

  async createFile(file: FileRow): Promise<void> {
    this.db.insert(files).values(file).run();
  }

  async getFile(id: string): Promise<FileRow | null> {
    return this.db.select().from(files).where(eq(files.id, id)).get() ?? null;
  }

  async getFiles(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(files).where(inArray(files.id, [...ids])).all();
  }

  async userFileBytes(userId: UserId): Promise<number> {
    const row = this.db.select({ bytes: sum(files.size) }).from(files).where(eq(files.uploaderId, userId)).get();
    return Number(row?.bytes ?? 0);
  }

  async markFilesReferenced(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    this.db.update(files).set({ referencedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.referencedAt))).run();
  }

  async markFilesDeleted(ids: readonly string[], at: number): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.db.update(files).set({ deletedAt: at }).where(and(inArray(files.id, [...ids]), isNull(files.deletedAt))).returning().all();
  }

  async unusedFiles(before: number, limit: number): Promise<FileRow[]> {
    return this.db
      .select()
      .from(files)
      .where(or(and(isNull(files.referencedAt), lt(files.createdAt, before)), lt(files.deletedAt, before)))
      .limit(limit).all();
  }

  async deleteFiles(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.db.delete(files).where(inArray(files.id, [...ids])).run();
  }

  async blobInUse(sha256: string): Promise<boolean> {
    const row = this.db
      .select({ id: files.id })
      .from(files)
      .where(and(isNull(files.deletedAt), or(eq(files.sha256, sha256), eq(files.thumbSha256, sha256))))
      .limit(1).get();
    return row !== undefined;
  }

  private counted(bytes: number): void {
    this.writeStats.transactions++;
    this.writeStats.bytes += bytes;
  }

  async ping(): Promise<void> {
    this.sqlite.prepare('select 1').get();
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.sqlite.close();
  }
}
