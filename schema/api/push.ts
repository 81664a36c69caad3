import { z } from 'zod';

/** Longest push endpoint accepted; push services' URLs are a few hundred characters. */
const MAX_ENDPOINT_LENGTH = 2048;

/** base64url (no padding) of exactly `bytes` bytes. */
function base64urlOf(bytes: number) {
  const length = Math.ceil((bytes * 4) / 3);
  return z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), `Expected ${bytes} bytes in base64url`);
}

/**
 * `POST /api/push/subscription`: what the browser's `PushSubscription.toJSON()` gives.
 * `p256dh` is an uncompressed P-256 point (65 bytes), `auth` a 16-byte secret
 * (RFC 8291). Whether the endpoint may be called is the server's check, not the schema's.
 */
export const pushSubscriptionBody = z
  .object({
    endpoint: z.string().url().max(MAX_ENDPOINT_LENGTH),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: base64urlOf(65), auth: base64urlOf(16) }).strict(),
  })
  .strict();

/** `DELETE /api/push/subscription`: the endpoint this browser stops receiving on. */
export const deletePushSubscriptionBody = z.object({ endpoint: z.string().max(MAX_ENDPOINT_LENGTH) }).strict();

/** `GET /api/push/key`: the server's VAPID public key (base64url), the browser's `applicationServerKey`. */
const pushKeyResponse = z.object({ publicKey: z.string() });
export type PushKeyResponse = z.infer<typeof pushKeyResponse>;

/**
 * What a push carries to the service worker (encrypted end to end: the push service
 * sees none of it). `body` is absent when the user turned "Show message preview" off
 * and the push is about one message; `tag` groups a chat's notifications into one.
 * `close` withdraws instead: the person read the chat on another device, so the
 * worker closes the chat's notification (`tag`) and shows nothing (`title` is empty).
 */
const pushPayloadSchema = z.object({
  roomId: z.string(),
  title: z.string(),
  body: z.string().optional(),
  tag: z.string(),
  close: z.literal(true).optional(),
});
export type PushPayload = z.infer<typeof pushPayloadSchema>;
