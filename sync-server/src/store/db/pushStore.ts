import type { UserId } from '#schema/ids';

/** A browser's Web Push subscription, stored for the session that made it. */
export interface PushSubscriptionRow {
  /** The push service's URL for this browser; unique. */
  endpoint: string;
  /** The session (its token's SHA-256) that subscribed: signing it out deletes the row. */
  sessionHash: string;
  userId: UserId;
  /** The browser's P-256 public key (base64url), for the payload's encryption (RFC 8291). */
  p256dh: string;
  /** The browser's authentication secret (base64url). */
  auth: string;
  createdAt: number;
}

/**
 * The Web Push part of the {@link Store}: subscriptions per session, and the shared
 * settings the push sender needs (the VAPID key pair). Two implementations, one
 * contract suite (`pushStoreContract.ts`).
 */
export interface PushStore {
  /**
   * Saves a subscription, in place of any other of the same session (a session is one
   * browser). An endpoint already stored (the same browser subscribing again, possibly
   * signed in as someone else now) is taken over by this row.
   */
  saveSubscription(row: PushSubscriptionRow): Promise<void>;
  /** Deletes the endpoint if `userId` owns it; whether a row went. */
  deleteSubscription(userId: UserId, endpoint: string): Promise<boolean>;
  /** Deletes the endpoint whoever owns it (the push service answered that it is gone). */
  deleteEndpoint(endpoint: string): Promise<void>;
  /** Every subscription of these users. */
  subscriptionsOf(userIds: readonly UserId[]): Promise<PushSubscriptionRow[]>;
  /**
   * Stores `value` under `key` unless a value is there already, and returns the stored
   * one: of several processes starting at once, the first to insert wins for all.
   */
  claimSetting(key: string, value: string): Promise<string>;
}
