import { and, eq, inArray, ne } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { pushSubscriptions, serverSettings } from './db/pg';
import type { PushStore, PushSubscriptionRow } from './db/pushStore';
import type { UserId } from '../../../schema/ids';

/** Rows per `IN (…)` list: well under Postgres' bound-parameter cap. */
const CHUNK = 1_000;

/** Web Push subscriptions and shared settings in the Postgres store, shared by every node. */
export class PgPush implements PushStore {
  constructor(private readonly db: NodePgDatabase) {}

  async saveSubscription(row: PushSubscriptionRow): Promise<void> {
    const { endpoint: _endpoint, ...rest } = row;
    await this.db.transaction(async (tx) => {
      await tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.sessionHash, row.sessionHash), ne(pushSubscriptions.endpoint, row.endpoint)));
      await tx.insert(pushSubscriptions).values(row).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: rest });
    });
  }

  async deleteSubscription(userId: UserId, endpoint: string): Promise<boolean> {
    const gone = await this.db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
      .returning({ endpoint: pushSubscriptions.endpoint });
    return gone.length > 0;
  }

  async deleteEndpoint(endpoint: string): Promise<void> {
    await this.db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
  }

  async subscriptionsOf(userIds: readonly UserId[]): Promise<PushSubscriptionRow[]> {
    const out: PushSubscriptionRow[] = [];
    for (let i = 0; i < userIds.length; i += CHUNK) {
      out.push(...(await this.db.select().from(pushSubscriptions).where(inArray(pushSubscriptions.userId, userIds.slice(i, i + CHUNK)))));
    }
    return out;
  }

  async claimSetting(key: string, value: string): Promise<string> {
    await this.db.insert(serverSettings).values({ key, value }).onConflictDoNothing();
    const [row] = await this.db.select().from(serverSettings).where(eq(serverSettings.key, key));
    return row!.value;
  }
}
