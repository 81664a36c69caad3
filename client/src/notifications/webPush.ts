import type { PushKeyResponse } from '#schema/api/push';
import { apiRequest } from '../api/apiRequest';

/**
 * Web Push on this browser: a subscription with the browser's push service, under the
 * server's VAPID key, registered with the server for this session. The service
 * worker's `push-sw.js` shows what arrives.
 */

/** Whether this browser can receive pushes at all (a secure context with a service worker). */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The app's service worker registration (none in development, where no worker is built). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return navigator.serviceWorker.getRegistration();
}

/** This browser's subscription, if notifications are on here. */
export async function currentPushSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  return (await (await registration())?.pushManager.getSubscription()) ?? null;
}

function bytesOfBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/**
 * Turns notifications on: asks the person's permission (the browser's prompt),
 * subscribes under the server's key (again, if the key changed) and tells the server.
 * Throws with a message fit to show when permission is refused.
 */
export async function turnPushOn(): Promise<void> {
  if (!pushSupported()) throw new Error('This browser cannot show notifications from Jeco.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error("Notifications are blocked for Jeco in this browser's site settings.");
  const { publicKey } = await apiRequest<PushKeyResponse>('GET', '/push/key');
  const key = bytesOfBase64url(publicKey);
  const worker = await registration();
  if (!worker) throw new Error("Notifications need the app's service worker, which is not running here.");
  const manager = worker.pushManager;
  let subscription = await manager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    } catch {
      throw new Error('This browser could not sign up with its push service. Try again later.');
    }
  }
  await apiRequest('POST', '/push/subscription', subscription.toJSON());
}

/** Registers this browser's subscription again for the current session (after signing in anew, say); nothing if there is none. */
export async function renewPushSubscription(): Promise<boolean> {
  const subscription = await currentPushSubscription();
  if (!subscription || Notification.permission !== 'granted') return false;
  await apiRequest('POST', '/push/subscription', subscription.toJSON());
  return true;
}

/** Turns notifications off on this browser: the server forgets the endpoint, the browser drops the subscription. */
export async function turnPushOff(): Promise<void> {
  const subscription = await currentPushSubscription();
  if (!subscription) return;
  await apiRequest('DELETE', '/push/subscription', { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

/** On sign-out: the browser stops receiving (the server deleted the session's subscription already). Never throws. */
export async function dropPushSubscription(): Promise<void> {
  try {
    await (await currentPushSubscription())?.unsubscribe();
  } catch {
    // Nothing to undo: the server no longer sends to this endpoint.
  }
}

/** Calls `open` with the chat a clicked notification names (the service worker posts it to a Jeco tab). */
export function onNotificationClick(open: (roomId: string) => void): () => void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return () => {};
  const listener = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; roomId?: unknown } | null;
    if (data?.type === 'jeco:open-chat' && typeof data.roomId === 'string' && data.roomId) open(data.roomId);
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}
