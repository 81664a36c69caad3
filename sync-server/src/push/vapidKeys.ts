import webpush from 'web-push';
import { z } from 'zod';
import type { Store } from '../store/db/store';

/** The VAPID key pair that signs every push (RFC 8292), base64url as `web-push` uses it. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** Where a generated key pair is kept in the store's shared settings. */
const SETTING = 'vapid-keys';
const storedKeys = z.object({ publicKey: z.string().min(1), privateKey: z.string().min(1) });

/**
 * The configured key pair, else the one kept in the store, generated on the first
 * start: every process of a cluster claims the same setting, and the first insert
 * wins, so all of them sign with one key (browsers subscribe against that key).
 */
export async function vapidKeysOf(configured: VapidKeys | undefined, store: Store): Promise<VapidKeys> {
  if (configured) return configured;
  const stored = await store.push.claimSetting(SETTING, JSON.stringify(webpush.generateVAPIDKeys()));
  return storedKeys.parse(JSON.parse(stored));
}
