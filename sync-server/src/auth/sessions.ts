import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { UserId } from '../../../schema/ids';
import type { SessionRow, Store, UserRow } from '../../../schema/db/store';

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

  async create(userId: UserId): Promise<{ token: string; session: SessionRow }> {
    const token = generateToken();
    const now = this.now();
    const session: SessionRow = {
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      expiresAt: Math.min(now + this.policy.idleMs, now + this.policy.maxMs),
      absoluteExpiresAt: now + this.policy.maxMs,
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
    const session = await this.store.getSession(tokenHash);
    if (!session) return null;
    const now = this.now();
    if (now >= session.expiresAt || now >= session.absoluteExpiresAt) {
      await this.store.deleteSession(tokenHash);
      return null;
    }
    const user = await this.store.getUserById(session.userId);
    if (!user) return null;
    if (session.expiresAt - now <= this.policy.idleMs / 2) {
      const expiresAt = Math.min(now + this.policy.idleMs, session.absoluteExpiresAt);
      await this.store.touchSession(tokenHash, expiresAt);
      session.expiresAt = expiresAt;
    }
    return { session, user };
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.store.deleteSession(tokenHash);
    this.emitRevoked({ tokenHash });
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
