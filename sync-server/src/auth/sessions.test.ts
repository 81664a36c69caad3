import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/db/store';
import { newUserId, type UserId } from '#schema/ids';
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

  it('keeps the browser that signed in and its last use to the minute, and lists only live sessions', async () => {
    const { token, session } = await sessions.create(userId, 'x'.repeat(2_000));
    expect(session.userAgent).toHaveLength(512);
    const signedInAt = now;
    now += 30_000;
    await sessions.validate(token);
    expect((await store.getSession(session.tokenHash))?.lastActiveAt).toBe(signedInAt);
    now += 40_000;
    await sessions.validate(token);
    expect((await store.getSession(session.tokenHash))?.lastActiveAt).toBe(now);
    // Another session left idle expires while this one, in use, goes on.
    await sessions.create(userId);
    now += 6 * MINUTE;
    await sessions.validate(token);
    now += 5 * MINUTE;
    expect((await sessions.list(userId)).map((row) => row.tokenHash)).toEqual([session.tokenHash]);
  });

  it("re-checks many sessions at once, across read chunks: live ones stay and are marked used, expired ones and a deleted user's end, unknown ones are refused", async () => {
    const live = await Promise.all(Array.from({ length: 1_100 }, () => sessions.create(userId)));
    const bob = newUserId();
    await store.createUser({ id: bob, username: 'bob', displayName: 'Bob', email: null, passwordHash: 'x', createdAt: now });
    const bobs = await sessions.create(bob);
    const idle = await sessions.create(userId);
    now += 6 * MINUTE;
    // Kept in use while `idle` is not: everything but `idle` slides forward.
    await sessions.validateHashes(live.map((l) => l.session.tokenHash));
    await sessions.validate(bobs.token);
    now += 5 * MINUTE;
    await store.deleteAccount(bob, now, 'Deleted account');
    const unknown = hashToken(generateToken());
    const hashes = [...live.map((l) => l.session.tokenHash), bobs.session.tokenHash, idle.session.tokenHash, unknown];
    const result = await sessions.validateHashes(hashes);
    expect([...result.keys()]).toEqual(hashes);
    expect(live.every((l) => result.get(l.session.tokenHash)?.user.id === userId)).toBe(true);
    expect(result.get(bobs.session.tokenHash)).toBeNull();
    expect(result.get(idle.session.tokenHash)).toBeNull();
    expect(result.get(unknown)).toBeNull();
    // The expired session is gone from the store; the live ones record this use.
    expect(await store.getSession(idle.session.tokenHash)).toBeNull();
    const stored = await store.getSessions(live.map((l) => l.session.tokenHash));
    expect(stored).toHaveLength(1_100);
    expect(stored.every((row) => row.lastActiveAt === now)).toBe(true);
  });

  it('revokeOthers signs out every other session of the user, telling live connections', async () => {
    const here = await sessions.create(userId);
    const others = [await sessions.create(userId), await sessions.create(userId)];
    const heard: string[] = [];
    sessions.onRevoked(({ tokenHash }) => tokenHash && heard.push(tokenHash));
    expect(await sessions.revokeOthers(userId, here.session.tokenHash)).toBe(2);
    expect(heard.sort()).toEqual(others.map((o) => o.session.tokenHash).sort());
    expect(await sessions.validate(here.token)).not.toBeNull();
    for (const other of others) expect(await sessions.validate(other.token)).toBeNull();
  });
});
