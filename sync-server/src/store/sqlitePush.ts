import { and, eq, inArray, ne } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { PushStore, PushSubscriptionRow } from './db/pushStore';
import { pushSubscriptions, serverSettings } from './db/sqlite';
import type { UserId } from '../../../schema/ids';

/** Rows per `IN (…)` list: well under SQLite's bound-parameter cap. */
const CHUNK = 1_000;

/** Web Push subscriptions and shared settings in the SQLite store. */
export class SqlitePush implements PushStore {
  constructor(private readonly db: BetterSQLite3Database) {}

  async saveSubscription(row: PushSubscriptionRow): Promise<void> {
    const { endpoint: _endpoint, ...rest } = row;
    this.db.transaction((tx) => {
      tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.sessionHash, row.sessionHash), ne(pushSubscriptions.endpoint, row.endpoint))).run();
      tx.insert(pushSubscriptions).values(row).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: rest }).run();
    });
  }

  async deleteSubscription(userId: UserId, endpoint: string): Promise<boolean> {
    const result = this.db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId))).run();
    return result.changes > 0;
  }

  async deleteEndpoint(endpoint: string): Promise<void> {
    this.db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).run();
  }

  async subscriptionsOf(userIds: readonly UserId[]): Promise<PushSubscriptionRow[]> {
    const out: PushSubscriptionRow[] = [];
    for (let i = 0; i < userIds.length; i += CHUNK) {
      out.push(...this.db.select().from(pushSubscriptions).where(inArray(pushSubscriptions.userId, userIds.slice(i, i + CHUNK))).all());
    }
    return out;
  }

  async claimSetting(key: string, value: string): Promise<string> {
    this.db.insert(serverSettings).values({ key, value }).onConflictDoNothing().run();
    return this.db.select().from(serverSettings).where(eq(serverSettings.key, key)).get()!.value;
  }
}
