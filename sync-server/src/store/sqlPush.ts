import { and, eq, inArray, ne } from 'drizzle-orm';
import type { UserId } from '#schema/ids';
import type { PushStore, PushSubscriptionRow } from './db/pushStore';
import { rows, run, type Dialect } from './dialects';

/** Rows per `IN (…)` list: well under either dialect's bound-parameter cap. */
const CHUNK = 1_000;

/** Web Push subscriptions and shared settings, written once for both dialects (`dialects.ts`); on Postgres, shared by every node. */
export class SqlPush implements PushStore {
  constructor(private readonly d: Dialect) {}

  async saveSubscription(row: PushSubscriptionRow): Promise<void> {
    const { pushSubscriptions } = this.d.t;
    const { endpoint: _endpoint, ...rest } = row;
    await this.d.transaction(function* (tx) {
      // One subscription per session: a browser that changed its endpoint replaces the old one.
      yield* run(tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.sessionHash, row.sessionHash), ne(pushSubscriptions.endpoint, row.endpoint))));
      yield* run(tx.insert(pushSubscriptions).values(row).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: rest }));
    });
  }

  async deleteSubscription(userId: UserId, endpoint: string): Promise<boolean> {
    const { pushSubscriptions } = this.d.t;
    const gone = await this.d.db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
      .returning({ endpoint: pushSubscriptions.endpoint });
    return gone.length > 0;
  }

  async deleteEndpoint(endpoint: string): Promise<void> {
    await this.d.db.delete(this.d.t.pushSubscriptions).where(eq(this.d.t.pushSubscriptions.endpoint, endpoint));
  }

  async subscriptionsOf(userIds: readonly UserId[]): Promise<PushSubscriptionRow[]> {
    const { pushSubscriptions } = this.d.t;
    const out: PushSubscriptionRow[] = [];
    for (let i = 0; i < userIds.length; i += CHUNK) {
      out.push(
        ...(await this.d.db
          .select()
          .from(pushSubscriptions)
          .where(inArray(pushSubscriptions.userId, userIds.slice(i, i + CHUNK)))),
      );
    }
    return out;
  }

  async claimSetting(key: string, value: string): Promise<string> {
    const { serverSettings } = this.d.t;
    // The first node to claim a setting sets it; every later claim reads that one.
    return this.d.transaction(function* (tx) {
      yield* run(tx.insert(serverSettings).values({ key, value }).onConflictDoNothing());
      const [row] = yield* rows(tx.select().from(serverSettings).where(eq(serverSettings.key, key)));
      return row!.value;
    });
  }
}
