import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { UserId } from '#schema/ids';
import type { SessionRow, Store, UserRow } from '../store/db/store';

/** A session's last use is written at most this often, so a busy client does not write on every request. */
const ACTIVE_EVERY_MS = 60_000;
/** Sessions validated per read in {@link Sessions.validateHashes}: well under SQLite's limit on bound parameters. */
const VALIDATE_CHUNK = 500;
/** Longest User-Agent kept: enough to name the browser and system, bounded per row. */
const USER_AGENT_MAX = 512;

/** 160 random bits: well past the 128 the design asks for, and a whole number of base32 characters. */
const TOKEN_BYTES = 20;

/** A fresh random token, shown once to the client; only its hash is stored. */
export function generateToken(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The SHA-256 of a token, hex: what the store keeps, so a leaked database gives no usable token. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface SessionPolicy {
  /** A session unused for this long expires; use slides it forward. */
  idleMs: number;
  /** A session expires this long after it was created, however it is used. */
  maxMs: number;
}

export interface ValidSession {
  session: SessionRow;
  user: UserRow;
}

/**
 * Sessions after Lucia's design: random token, only its SHA-256 stored, an idle
 * expiry that slides with use (written at most once per half idle period, so a busy
 * client does not write on every request) and an absolute expiry that never moves.
 */
export class Sessions {
  private readonly revokedListeners = new Set<(revoked: { tokenHash?: string; userId?: UserId }) => void>();

  constructor(
    private readonly store: Store,
    private readonly policy: SessionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async create(userId: UserId, userAgent?: string): Promise<{ token: string; session: SessionRow }> {
    const token = generateToken();
    const now = this.now();
    const session: SessionRow = {
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      expiresAt: Math.min(now + this.policy.idleMs, now + this.policy.maxMs),
      absoluteExpiresAt: now + this.policy.maxMs,
      userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null,
      lastActiveAt: now,
    };
    await this.store.createSession(session);
    return { token, session };
  }

  /** The session and user for a token, or null if unknown, expired or the user is gone. */
  async validate(token: string): Promise<ValidSession | null> {
    if (!token || token.length > 128) return null;
    return this.validateHash(hashToken(token));
  }

  /** {@link validate} by the token's hash: live sync connections keep only the hash. */
  async validateHash(tokenHash: string): Promise<ValidSession | null> {
    return (await this.validateHashes([tokenHash])).get(tokenHash) ?? null;
  }

  /**
   * {@link validateHash} for many hashes with a few reads and writes in all, not a few
   * per session: the sync server re-checks every live connection's session each
   * minute, and at 10,000 people one read, one user read and one fsync'd write per
   * session was most of an idle node's work. A hash maps to null if its session is
   * unknown, expired or its user gone.
   */
  async validateHashes(tokenHashes: readonly string[]): Promise<Map<string, ValidSession | null>> {
    const result = new Map<string, ValidSession | null>(tokenHashes.map((hash) => [hash, null]));
    for (let i = 0; i < tokenHashes.length; i += VALIDATE_CHUNK) {
      const chunk = tokenHashes.slice(i, i + VALIDATE_CHUNK);
      const sessions = await this.store.getSessions(chunk);
      const now = this.now();
      const expired = (s: SessionRow) => now >= s.expiresAt || now >= s.absoluteExpiresAt;
      for (const session of sessions.filter(expired)) await this.store.deleteSession(session.tokenHash);
      const live = sessions.filter((s) => !expired(s));
      const users = new Map((await this.store.getUsersByIds([...new Set(live.map((s) => s.userId))])).map((u) => [u.id, u]));
      const active: string[] = [];
      for (const session of live) {
        const user = users.get(session.userId);
        // A deleted account's sessions are deleted with it; this covers a read racing that.
        if (!user || user.deletedAt !== null) continue;
        if (session.expiresAt - now <= this.policy.idleMs / 2) {
          const expiresAt = Math.min(now + this.policy.idleMs, session.absoluteExpiresAt);
          await this.store.touchSession(session.tokenHash, expiresAt);
          session.expiresAt = expiresAt;
        }
        if (now - (session.lastActiveAt ?? 0) >= ACTIVE_EVERY_MS) {
          active.push(session.tokenHash);
          session.lastActiveAt = now;
        }
        result.set(session.tokenHash, { session, user });
      }
      await this.store.markSessionsActive(active, now);
    }
    return result;
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.store.deleteSession(tokenHash);
    this.emitRevoked({ tokenHash });
  }

  /** The user's live sessions, oldest first (expired ones are left out). */
  async list(userId: UserId): Promise<SessionRow[]> {
    const now = this.now();
    const rows = await this.store.listUserSessions(userId);
    return rows.filter((row) => now < row.expiresAt && now < row.absoluteExpiresAt);
  }

  /** Revokes every session of the user but `keepHash` (change password, "sign out all other devices"). */
  async revokeOthers(userId: UserId, keepHash: string): Promise<number> {
    const others = (await this.store.listUserSessions(userId)).filter((row) => row.tokenHash !== keepHash);
    for (const row of others) await this.revoke(row.tokenHash);
    return others.length;
  }

  async revokeAll(userId: UserId): Promise<void> {
    await this.store.deleteUserSessions(userId);
    this.emitRevoked({ userId });
  }

  /** Live connections listen here so a revoked session stops syncing at once. */
  onRevoked(listener: (revoked: { tokenHash?: string; userId?: UserId }) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private emitRevoked(revoked: { tokenHash?: string; userId?: UserId }): void {
    for (const listener of this.revokedListeners) listener(revoked);
  }
}

/**
 * The id a session is shown under in the devices list: a hash of its token hash, so
 * the list never hands out the value the server looks sessions up by.
 */
export function publicSessionId(tokenHash: string): string {
  return hashToken(tokenHash).slice(0, 32);
}
