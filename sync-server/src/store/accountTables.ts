/**
 * The accounts part of the store both dialects share (see `sqlStore.ts`): users,
 * sessions, blocks and reset tokens, each query written once over a {@link Dialect}.
 */
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { UserId } from '#schema/ids';
import type { PrivacySettings } from '#schema/privacy';
import { privacyColumns } from './db/store';
import type { MemberCard, NewUser, ResetTokenRow, SessionRow, UserRow, WriteStats } from './db/store';
import { run, type Dialect } from './dialects';
import { anonymised, conflictOf, normaliseUser, prefixMatch } from './rows';

export abstract class AccountTables {
  readonly writeStats: WriteStats = { transactions: 0, bytes: 0 };

  constructor(protected readonly d: Dialect) {}

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
    return this.d.db
      .select()
      .from(this.d.t.users)
      .where(inArray(this.d.t.users.id, [...ids]));
  }

  /** The columns of a {@link MemberCard}, for the reads that return one. */
  protected get cardColumns() {
    const { users } = this.d.t;
    return { id: users.id, displayName: users.displayName, pushPreview: users.pushPreview };
  }

  async getMemberCards(ids: readonly UserId[]): Promise<MemberCard[]> {
    if (ids.length === 0) return [];
    return this.d.db
      .select(this.cardColumns)
      .from(this.d.t.users)
      .where(inArray(this.d.t.users.id, [...ids]));
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
      yield* run(
        tx
          .update(users)
          .set(anonymised(at, displayName))
          .where(and(eq(users.id, id), isNull(users.deletedAt))),
      );
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

  async getSessions(tokenHashes: readonly string[]): Promise<SessionRow[]> {
    if (tokenHashes.length === 0) return [];
    return this.d.db
      .select()
      .from(this.d.t.sessions)
      .where(inArray(this.d.t.sessions.tokenHash, [...tokenHashes]));
  }

  async touchSession(tokenHash: string, expiresAt: number): Promise<void> {
    await this.d.db.update(this.d.t.sessions).set({ expiresAt }).where(eq(this.d.t.sessions.tokenHash, tokenHash));
  }

  async markSessionsActive(tokenHashes: readonly string[], at: number): Promise<void> {
    if (tokenHashes.length === 0) return;
    await this.d.db
      .update(this.d.t.sessions)
      .set({ lastActiveAt: at })
      .where(inArray(this.d.t.sessions.tokenHash, [...tokenHashes]));
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
    const found = await this.d.db
      .select({ at: blocks.createdAt })
      .from(blocks)
      .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
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
}
