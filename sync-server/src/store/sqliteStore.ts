/**
 * The embedded store: one SQLite file through better-sqlite3. The driver is
 * synchronous, so every method does its work before returning a settled promise; in
 * particular a resolved {@link Store.appendUpdate} has committed.
 */
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, count, desc, eq, inArray, lte, or } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { RoomId, UserId } from '../../../schema/ids';
import type { MemberRole } from '../../../schema/docs/roomHead';
import type { NewUser, ResetTokenRow, RoomMemberRow, RoomRow, SessionRow, Store, UserRow } from '../../../schema/db/store';
import {
  blocks,
  clientIds,
  docSnapshots,
  docUpdates,
  resetTokens,
  roomMembers,
  rooms,
  sessions,
  users,
} from '../../../schema/db/sqlite';
import { SqliteReceipts } from './sqliteReceipts';
import { conflictOf, fold, normaliseUser, prefixMatch, toBuffer, toBytes, type LogRow, type Merge, type WriteDoc } from './rows';

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
    return new SqliteStore(sqlite, db);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** The database or a transaction on it: anything that can run a select. */
type Reader = Pick<BetterSQLite3Database, 'select'>;

/** A doc's snapshot and log rows in append order; call inside a transaction so both reads agree. */
function readLog(tx: Reader, docName: string): { snapshot: Buffer | null; rows: LogRow[] } {
  const snap = tx.select({ snapshot: docSnapshots.snapshot }).from(docSnapshots).where(eq(docSnapshots.docName, docName)).get();
  const rows = tx
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(eq(docUpdates.docName, docName))
    .orderBy(asc(docUpdates.id))
    .all();
  return { snapshot: snap?.snapshot ?? null, rows };
}

class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  readonly receipts: SqliteReceipts;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: BetterSQLite3Database,
  ) {
    this.receipts = new SqliteReceipts(db);
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
      .where(prefixMatch([users.username, users.displayName], prefix))
      .orderBy(asc(users.username))
      .limit(limit)
      .all();
  }

  async setPasswordHash(id: UserId, passwordHash: string): Promise<void> {
    this.db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id)).run();
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

  async setProfile(id: UserId, profile: { displayName?: string; about?: string | null }): Promise<void> {
    if (profile.displayName === undefined && profile.about === undefined) return;
    this.db.update(users).set(profile).where(eq(users.id, id)).run();
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

  async saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[]): Promise<void> {
    this.db.transaction(
      (tx) => {
        tx.insert(rooms).values(room).onConflictDoNothing().run();
        tx.delete(roomMembers).where(eq(roomMembers.roomId, room.id)).run();
        if (members.length === 0) return;
        tx.insert(roomMembers)
          .values(members.map((m) => ({ roomId: room.id, userId: m.userId, role: m.role })))
          .run();
      },
      // Take the write lock up front: a deferred transaction that reads then writes can
      // fail with SQLITE_BUSY instead of waiting when another process writes meanwhile.
      { behavior: 'immediate' },
    );
  }

  async getRoomMembers(id: RoomId): Promise<RoomMemberRow[]> {
    return this.db
      .select({ userId: roomMembers.userId, role: roomMembers.role })
      .from(roomMembers)
      .where(eq(roomMembers.roomId, id))
      .orderBy(asc(roomMembers.userId))
      .all();
  }

  async getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null> {
    const row = this.db
      .select({ role: roomMembers.role })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
      .get();
    return row?.role ?? null;
  }

  async listUserRooms(userId: UserId): Promise<RoomId[]> {
    const rows = this.db
      .select({ roomId: roomMembers.roomId })
      .from(roomMembers)
      .where(eq(roomMembers.userId, userId))
      .orderBy(asc(roomMembers.roomId))
      .all();
    return rows.map((r) => r.roomId);
  }

  async claimClientId(clientId: number, userId: UserId): Promise<UserId> {
    this.db.insert(clientIds).values({ clientId, userId }).onConflictDoNothing().run();
    const owner = this.db.select({ userId: clientIds.userId }).from(clientIds).where(eq(clientIds.clientId, clientId)).get();
    if (!owner) throw new Error(`client id ${clientId} vanished after being claimed`);
    return owner.userId;
  }

  async clientIdOwner(clientId: number): Promise<UserId | null> {
    return this.db.select({ userId: clientIds.userId }).from(clientIds).where(eq(clientIds.clientId, clientId)).get()?.userId ?? null;
  }

  async appendUpdate(docName: string, update: Uint8Array): Promise<void> {
    this.db.insert(docUpdates).values({ docName, update: toBuffer(update) }).run();
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[] }> {
    // One read transaction, so a compaction committed by another process cannot land
    // between reading the snapshot and reading the rows it folded in.
    return this.db.transaction((tx) => {
      const { snapshot, rows } = readLog(tx, docName);
      return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)) };
    });
  }

  async writeDoc(docName: string, write: WriteDoc): Promise<void> {
    // An immediate transaction holds SQLite's single write lock throughout.
    this.db.transaction(
      (tx) => {
        const { snapshot, rows } = readLog(tx, docName);
        const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)) });
        if (update) tx.insert(docUpdates).values({ docName, update: toBuffer(update) }).run();
      },
      { behavior: 'immediate' },
    );
  }

  async countUpdates(docName: string): Promise<number> {
    const row = this.db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, docName)).get();
    return row?.n ?? 0;
  }

  async compact(docName: string, merge: Merge): Promise<number> {
    return this.db.transaction(
      (tx) => {
        const { snapshot, rows } = readLog(tx, docName);
        const folded = fold(snapshot, rows, merge);
        if (!folded) return 0;
        tx.insert(docSnapshots)
          .values({ docName, snapshot: folded.snapshot, updatedAt: Date.now() })
          .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, updatedAt: Date.now() } })
          .run();
        // The immediate transaction holds SQLite's single write lock from the start, so
        // no other writer can slip a lower id in: deleting up to the highest id read is
        // exactly the rows read, without one bound parameter per row (SQLite caps those).
        // Rows the merge callback itself appended get higher ids and are kept.
        const last = folded.ids[folded.ids.length - 1]!;
        tx.delete(docUpdates)
          .where(and(eq(docUpdates.docName, docName), lte(docUpdates.id, last)))
          .run();
        return folded.ids.length;
      },
      { behavior: 'immediate' },
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

  async ping(): Promise<void> {
    this.sqlite.prepare('select 1').get();
  }

  async close(): Promise<void> {
    this.sqlite.close();
  }
}
