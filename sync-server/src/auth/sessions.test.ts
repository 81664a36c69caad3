import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../schema/db/store';
import { newUserId, type UserId } from '../../../schema/ids';
import { openSqliteStore } from '../store/sqliteStore';
import { generateToken, hashToken, Sessions } from './sessions';

const MINUTE = 60_000;

describe('sessions', () => {
  let store: Store;
  let now: number;
  let userId: UserId;
  let sessions: Sessions;

  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
    now = 1_700_000_000_000;
    userId = newUserId();
    await store.createUser({ id: userId, username: 'alice', displayName: 'Alice', email: null, passwordHash: 'x', createdAt: now });
    sessions = new Sessions(store, { idleMs: 10 * MINUTE, maxMs: 60 * MINUTE }, () => now);
  });
  afterEach(() => store.close());

  it('makes 160-bit random tokens and stores only their SHA-256', async () => {
    const { token, session } = await sessions.create(userId);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(generateToken()).not.toBe(token);
    expect(session.tokenHash).toBe(hashToken(token));
    expect(session.tokenHash).not.toContain(token);
    expect(await store.getSession(token)).toBeNull();
    expect((await sessions.validate(token))?.user.id).toBe(userId);
  });

  it('expires after the idle time, and use slides the idle expiry forward', async () => {
    const { token } = await sessions.create(userId);
    now += 9 * MINUTE;
    expect(await sessions.validate(token)).not.toBeNull();
    now += 9 * MINUTE; // 18 minutes after sign-in, 9 after the last use
    expect(await sessions.validate(token)).not.toBeNull();
    now += 11 * MINUTE;
    expect(await sessions.validate(token)).toBeNull();
    expect(await store.getSession(hashToken(token))).toBeNull();
  });

  it('expires at the absolute limit however often it is used', async () => {
    const { token } = await sessions.create(userId);
    const signedInAt = now;
    while (now + 5 * MINUTE < signedInAt + 60 * MINUTE) {
      now += 5 * MINUTE;
      expect(await sessions.validate(token)).not.toBeNull();
    }
    now = signedInAt + 60 * MINUTE;
    expect(await sessions.validate(token)).toBeNull();
  });

  it('revokes one session or all of a user, and tells listeners', async () => {
    const one = await sessions.create(userId);
    const two = await sessions.create(userId);
    const revoked: unknown[] = [];
    sessions.onRevoked((r) => revoked.push(r));
    await sessions.revoke(one.session.tokenHash);
    expect(await sessions.validate(one.token)).toBeNull();
    expect(await sessions.validate(two.token)).not.toBeNull();
    await sessions.revokeAll(userId);
    expect(await sessions.validate(two.token)).toBeNull();
    expect(revoked).toEqual([{ tokenHash: one.session.tokenHash }, { userId }]);
  });

  it('refuses empty, oversized and unknown tokens without touching the store', async () => {
    expect(await sessions.validate('')).toBeNull();
    expect(await sessions.validate('a'.repeat(1000))).toBeNull();
    expect(await sessions.validate(generateToken())).toBeNull();
  });
});
