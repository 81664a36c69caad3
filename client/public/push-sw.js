/*
 * Web Push in Jeco's service worker (imported by the worker vite-plugin-pwa generates).
 * A push carries {roomId, title, body?, tag}, encrypted for this browser (RFC 8291);
 * `body` is absent when "Show message preview" is off. One notification per chat: a
 * newer push for the same chat replaces the older (same tag). A push with `close: true`
 * withdraws the chat's notification instead (it was read on another device). Clicking it focuses a
 * Jeco tab and opens the chat there, or opens a new tab at /c/<roomId>.
 */
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    // Not JSON: still show something; the browser requires a notification for every push.
  }
  const roomId = typeof data.roomId === 'string' ? data.roomId : '';
  if (data.close === true) {
    // The person read the chat on another device: its notification goes.
    const tag = typeof data.tag === 'string' && data.tag ? data.tag : roomId;
    event.waitUntil(
      self.registration.getNotifications({ tag }).then((shown) => {
        for (const notification of shown) notification.close();
      }),
    );
    return;
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Jeco';
  const body = typeof data.body === 'string' && data.body ? data.body : 'New message';
  const tag = typeof data.tag === 'string' && data.tag ? data.tag : roomId || 'jeco';
  event.waitUntil(self.registration.showNotification(title, { body, tag, renotify: true, data: { roomId } }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const roomId = event.notification.data && event.notification.data.roomId;
  const path = roomId ? `/c/${encodeURIComponent(roomId)}` : '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (tab) {
        // The app routes itself: no reload, the open replicas stay.
        tab.postMessage({ type: 'jeco:open-chat', roomId });
        await tab.focus();
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});
