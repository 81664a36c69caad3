/**
 * The shared store: Postgres through a pg Pool, for several sync-server processes on
 * one database. Whatever must hold across processes (compaction, migrations) is
 * serialised with advisory locks rather than by the process.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, asc, count, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { RoomId, UserId } from '../../../schema/ids';
import type { MemberRole } from '../../../schema/docs/roomHead';
import type { NewUser, ResetTokenRow, RoomMemberRow, RoomRow, SessionRow, Store, UserRow } from '../../../schema/db/store';
import { blocks, clientIds, docSnapshots, docUpdates, resetTokens, roomMembers, rooms, sessions, users } from '../../../schema/db/pg';
import { PgReceipts } from './pgReceipts';
import { conflictOf, fold, normaliseUser, prefixMatch, toBuffer, toBytes, type LogRow, type Merge, type WriteDoc } from './rows';

const MIGRATIONS = fileURLToPath(new URL('../../../schema/db/migrations/pg', import.meta.url));

/**
 * Advisory lock keys. Migrations take a single bigint key; compaction takes the
 * two-int form (namespace, hashtext(doc)), a separate key space per the Postgres docs,
 * so a doc hash can never collide with the migration lock.
 */
const MIGRATION_LOCK_KEY = 0x6a65636f; // "jeco"
const COMPACT_LOCK_NAMESPACE = 0x6a656301;
const WRITE_LOCK_NAMESPACE = 0x6a656302;

/** Connects to `url`, applies pending migrations (one process at a time) and returns the store. */
export async function openPgStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client dropped by the server emits 'error' on the pool, which would crash
  // the process if unheard; the pool discards that client and the next query reconnects.
  pool.on('error', () => {});
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
async function readLog(tx: Reader, docName: string): Promise<{ snapshot: Buffer | null; rows: LogRow[] }> {
  const [snap] = await tx.select({ snapshot: docSnapshots.snapshot }).from(docSnapshots).where(eq(docSnapshots.docName, docName));
  const rows = await tx
    .select({ id: docUpdates.id, update: docUpdates.update })
    .from(docUpdates)
    .where(eq(docUpdates.docName, docName))
    .orderBy(asc(docUpdates.id));
  return { snapshot: snap?.snapshot ?? null, rows };
}

class PgStore implements Store {
  readonly dialect = 'postgres';
  readonly receipts: PgReceipts;

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: NodePgDatabase,
  ) {
    this.receipts = new PgReceipts(db);
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
    const match = prefixMatch([users.username, users.displayName], prefix);
    return this.db.select().from(users).where(match).orderBy(asc(users.username)).limit(limit);
  }

  async setPasswordHash(id: UserId, passwordHash: string): Promise<void> {
    await this.db.update(users).set({ passwordHash }).where(eq(users.id, id));
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    await this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id));
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

  async setProfile(id: UserId, profile: { displayName?: string; about?: string | null }): Promise<void> {
    if (profile.displayName === undefined && profile.about === undefined) return;
    await this.db.update(users).set(profile).where(eq(users.id, id));
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

  async saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(rooms).values(room).onConflictDoNothing();
      // Lock the room row so two projections of one room replace the list one after the
      // other; otherwise their delete+insert pairs could interleave and collide.
      await tx.select({ id: rooms.id }).from(rooms).where(eq(rooms.id, room.id)).for('update');
      await tx.delete(roomMembers).where(eq(roomMembers.roomId, room.id));
      if (members.length === 0) return;
      await tx.insert(roomMembers).values(members.map((m) => ({ roomId: room.id, userId: m.userId, role: m.role })));
    });
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

  async listUserRooms(userId: UserId): Promise<RoomId[]> {
    const rows = await this.db
      .select({ roomId: roomMembers.roomId })
      .from(roomMembers)
      .where(eq(roomMembers.userId, userId))
      .orderBy(asc(roomMembers.roomId));
    return rows.map((r) => r.roomId);
  }

  async claimClientId(clientId: number, userId: UserId): Promise<UserId> {
    await this.db.insert(clientIds).values({ clientId, userId }).onConflictDoNothing();
    const [owner] = await this.db.select({ userId: clientIds.userId }).from(clientIds).where(eq(clientIds.clientId, clientId));
    if (!owner) throw new Error(`client id ${clientId} vanished after being claimed`);
    return owner.userId;
  }

  async clientIdOwner(clientId: number): Promise<UserId | null> {
    const [owner] = await this.db.select({ userId: clientIds.userId }).from(clientIds).where(eq(clientIds.clientId, clientId));
    return owner?.userId ?? null;
  }

  async appendUpdate(docName: string, update: Uint8Array): Promise<void> {
    // Autocommit: the promise settles after Postgres has committed the row.
    await this.db.insert(docUpdates).values({ docName, update: toBuffer(update) });
  }

  async loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[] }> {
    // One snapshot of the database for both reads, so a compaction committing between
    // them cannot hide the rows it folded into a snapshot we did not see.
    return this.db.transaction(
      async (tx) => {
        const { snapshot, rows } = await readLog(tx, docName);
        return { snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)) };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  async countUpdates(docName: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(docUpdates).where(eq(docUpdates.docName, docName));
    return row?.n ?? 0;
  }

  async compact(docName: string, merge: Merge): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Held until commit: compactions of one doc, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${COMPACT_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const { snapshot, rows } = await readLog(tx, docName);
      const folded = fold(snapshot, rows, merge);
      if (!folded) return 0;
      const now = Date.now();
      await tx
        .insert(docSnapshots)
        .values({ docName, snapshot: folded.snapshot, updatedAt: now })
        .onConflictDoUpdate({ target: docSnapshots.docName, set: { snapshot: folded.snapshot, updatedAt: now } });
      // Exactly the ids read, not `id <= max`: sequence values commit out of order, so a
      // row with a lower id may commit after our read, and it must survive. One array
      // parameter rather than one per id keeps clear of the 65535-parameter limit.
      await tx.delete(docUpdates).where(sql`${docUpdates.id} = any(${sql.param(folded.ids)}::bigint[])`);
      return folded.ids.length;
    });
  }

  async writeDoc(docName: string, write: WriteDoc): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Held until commit: server writes to one doc, from any process, run one at a time.
      await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const { snapshot, rows } = await readLog(tx, docName);
      const update = write({ snapshot: snapshot && toBytes(snapshot), updates: rows.map((r) => toBytes(r.update)) });
      if (update) await tx.insert(docUpdates).values({ docName, update: toBuffer(update) });
    });
  }

  async docExists(docName: string): Promise<boolean> {
    // One statement, one snapshot: a compaction cannot move the rows out from under it.
    const result = await this.db.execute<{ found: boolean }>(sql`select
      exists(select 1 from ${docUpdates} where ${docUpdates.docName} = ${docName})
      or exists(select 1 from ${docSnapshots} where ${docSnapshots.docName} = ${docName}) as found`);
    return result.rows[0]?.found === true;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
