/**
 * The push store contract: the SQLite and Postgres stores both run these numbered
 * rules (`sync-server/src/store/pushStore*.test.ts`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserId } from '#schema/ids';
import type { PushSubscriptionRow } from './pushStore';
import type { Store } from './store';

/** Registers the contract; `open` hands back a store before every test (rows are per test: fresh ids). */
export function runPushStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`push store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    async function person(): Promise<{ userId: UserId; sessionHash: string }> {
      const userId = crypto.randomUUID() as UserId;
      const username = `u${userId.slice(0, 8)}`;
      await store.createUser({ id: userId, username, displayName: username, email: null, passwordHash: 'x', createdAt: 1 });
      const sessionHash = `s-${crypto.randomUUID()}`;
      await store.createSession({ tokenHash: sessionHash, userId, createdAt: 1, expiresAt: Date.now() + 60_000, absoluteExpiresAt: Date.now() + 60_000 });
      return { userId, sessionHash };
    }
    const subscription = (owner: { userId: UserId; sessionHash: string }, createdAt = 10): PushSubscriptionRow => ({
      ...owner,
      endpoint: `https://push.example/${crypto.randomUUID()}`,
      p256dh: 'BPublicKey',
      auth: 'secret',
      createdAt,
    });

    it('P1. a saved subscription is listed under its user, and only there', async () => {
      const [ann, ben] = [await person(), await person()];
      const row = subscription(ann);
      await store.push.saveSubscription(row);
      expect(await store.push.subscriptionsOf([ann.userId])).toEqual([row]);
      expect(await store.push.subscriptionsOf([ben.userId])).toEqual([]);
      expect(await store.push.subscriptionsOf([])).toEqual([]);
    });

    it('P2. saving an endpoint again hands it to the new session and user', async () => {
      const [ann, ben] = [await person(), await person()];
      const row = subscription(ann);
      await store.push.saveSubscription(row);
      const taken = { ...row, ...ben, p256dh: 'BOther', createdAt: 20 };
      await store.push.saveSubscription(taken);
      expect(await store.push.subscriptionsOf([ann.userId, ben.userId])).toEqual([taken]);
    });

    it("P2b. a session keeps one subscription: a new endpoint replaces its earlier one, not other sessions'", async () => {
      const ann = await person();
      const phone = { userId: ann.userId, sessionHash: `s-${crypto.randomUUID()}` };
      await store.createSession({ tokenHash: phone.sessionHash, userId: ann.userId, createdAt: 1, expiresAt: Date.now() + 60_000, absoluteExpiresAt: Date.now() + 60_000 });
      const phoneRow = subscription(phone);
      await store.push.saveSubscription(phoneRow);
      await store.push.saveSubscription(subscription(ann));
      const renewed = subscription(ann, 30);
      await store.push.saveSubscription(renewed);
      const rows = await store.push.subscriptionsOf([ann.userId]);
      expect(rows.sort((a, b) => a.createdAt - b.createdAt)).toEqual([phoneRow, renewed]);
    });

    it('P3. a user deletes only their own subscription', async () => {
      const [ann, ben] = [await person(), await person()];
      const row = subscription(ann);
      await store.push.saveSubscription(row);
      expect(await store.push.deleteSubscription(ben.userId, row.endpoint)).toBe(false);
      expect(await store.push.subscriptionsOf([ann.userId])).toHaveLength(1);
      expect(await store.push.deleteSubscription(ann.userId, row.endpoint)).toBe(true);
      expect(await store.push.subscriptionsOf([ann.userId])).toEqual([]);
    });

    it('P4. an endpoint the push service dropped is deleted whoever owns it', async () => {
      const ann = await person();
      const [a, b] = [subscription(ann), subscription(ann)];
      await store.push.saveSubscription(a);
      await store.push.saveSubscription(b);
      await store.push.deleteEndpoint(a.endpoint);
      expect(await store.push.subscriptionsOf([ann.userId])).toEqual([b]);
    });

    it("P5. ending a session deletes its subscriptions, not the user's others", async () => {
      const ann = await person();
      const phone = { userId: ann.userId, sessionHash: `s-${crypto.randomUUID()}` };
      await store.createSession({ tokenHash: phone.sessionHash, userId: ann.userId, createdAt: 1, expiresAt: Date.now() + 60_000, absoluteExpiresAt: Date.now() + 60_000 });
      const [laptopRow, phoneRow] = [subscription(ann), subscription(phone)];
      await store.push.saveSubscription(laptopRow);
      await store.push.saveSubscription(phoneRow);
      await store.deleteSession(ann.sessionHash);
      expect(await store.push.subscriptionsOf([ann.userId])).toEqual([phoneRow]);
      await store.deleteUserSessions(ann.userId);
      expect(await store.push.subscriptionsOf([ann.userId])).toEqual([]);
    });

    it('P6. the first value claimed for a setting stays', async () => {
      const key = `k-${crypto.randomUUID()}`;
      expect(await store.push.claimSetting(key, 'first')).toBe('first');
      expect(await store.push.claimSetting(key, 'second')).toBe('first');
      const racing = `k-${crypto.randomUUID()}`;
      const won = await Promise.all(['a', 'b', 'c'].map((v) => store.push.claimSetting(racing, v)));
      expect(new Set(won).size).toBe(1);
    });

    it('P7. the message preview setting is on for a new user and follows setProfile', async () => {
      const ann = await person();
      expect((await store.getUserById(ann.userId))?.pushPreview).toBe(true);
      await store.setProfile(ann.userId, { pushPreview: false });
      expect((await store.getUserById(ann.userId))?.pushPreview).toBe(false);
    });
  });
}
