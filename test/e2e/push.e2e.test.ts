import { chromium, type Browser, type BrowserContext, type Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { dmRoomId, type UserId } from '#schema/ids';
import { api } from '../helpers/api';
import { startServer, type TestServer } from '../helpers/server';
import { CHROMIUM_PATH, hasChromium } from '../helpers/services';
import { CHROMIUM_ARGS, PASSWORD, poll } from './browser';
import { ChatPage } from './chatPage';
import { closeAfterReport } from './pageReport';

/**
 * Counts, inside the service worker, the push events whose work (what the handler gave
 * `waitUntil`) has settled; returns a reader of that count. The count lives as long as
 * that worker runs: Chromium stops an idle worker after 30 s, longer than any pause here.
 */
async function countHandledPushes(worker: Worker): Promise<() => Promise<number>> {
  await worker.evaluate(() => {
    const scope = self as unknown as { handledPushes: number; ExtendableEvent: { prototype: { waitUntil(work: Promise<unknown>): void } } };
    scope.handledPushes = 0;
    const { prototype } = scope.ExtendableEvent;
    const waitUntil = prototype.waitUntil;
    prototype.waitUntil = function (this: Event, work: Promise<unknown>) {
      if (this.type === 'push') {
        void work.finally(() => {
          scope.handledPushes++;
        });
      }
      return waitUntil.call(this, work);
    };
  });
  return () => worker.evaluate(() => (self as unknown as { handledPushes: number }).handledPushes);
}

/** The notifications Jeco's service worker shows now, as the page reads them. */
function shownNotifications(page: ChatPage): Promise<{ title: string; body: string; tag: string }[]> {
  return page.page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });
}

describe.skipIf(!(await hasChromium()))('Web Push in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let counter = 0;

  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(({ task }) => closeAfterReport(task, contexts));

  async function person(name: string): Promise<{ page: ChatPage; username: string }> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: server.url });
    const page = await ChatPage.open(context, server.url);
    const username = `${name.toLowerCase()}_${Date.now().toString(36)}${++counter}`;
    await page.register(username, name, PASSWORD);
    return { page, username };
  }

  test('the service worker shows a pushed message as a notification, one per chat, and a click opens that chat', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.waitForOfflineShell();
    const ids = await Promise.all([alice, bob].map(({ username }) => userIdOf(username)));
    const room = dmRoomId(ids[0]!, ids[1]!);

    // What the server would send, delivered the way a push service does: through the DevTools protocol, no push service needed.
    const cdp = await alice.page.context.newCDPSession(alice.page.page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.has(`${server.url}/`), poll).toBe(true);
    const registrationId = registrations.get(`${server.url}/`)!;
    await expect.poll(() => alice.page.context.serviceWorkers().length, poll).toBe(1);
    const [worker] = alice.page.context.serviceWorkers();
    const handled = await countHandledPushes(worker!);
    // Resolves once the worker has finished with the push: a getNotifications() that overlaps the
    // showing can miss that notification for good (4 of 60 pushes went missing with reads 20 ms
    // apart; none of 150 once the reads waited for this).
    const deliver = async (payload: object) => {
      const before = await handled();
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId, data: JSON.stringify(payload) });
      await expect.poll(handled, poll).toBe(before + 1);
    };

    await deliver({ roomId: room, title: 'Bob', body: 'Lunch at one?', tag: room });
    await expect.poll(() => shownNotifications(alice.page), poll).toEqual([{ title: 'Bob', body: 'Lunch at one?', tag: room }]);
    // A newer push about the same chat replaces the notification; preview off shows no text.
    await deliver({ roomId: room, title: 'Bob', tag: room });
    await expect.poll(() => shownNotifications(alice.page), poll).toEqual([{ title: 'Bob', body: 'New message', tag: room }]);
    await deliver({ roomId: 'g.00000000-0000-4000-8000-000000000000', title: 'Team', body: '5 new messages', tag: 'g.00000000-0000-4000-8000-000000000000' });
    await expect.poll(async () => (await shownNotifications(alice.page)).map((n) => n.title).sort(), poll).toEqual(['Bob', 'Team']);

    // A click on Bob's notification (dispatched in the worker: headless Chromium has no notification centre to click in).
    await worker!.evaluate(async (roomId: string) => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(event: Event): boolean };
      const [notification] = await scope.registration.getNotifications({ tag: roomId });
      const NotificationEventClass = (self as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      try {
        scope.dispatchEvent(new NotificationEventClass('notificationclick', { notification: notification! }));
      } catch {
        // waitUntil refuses an event the browser did not send; the handler has acted by then.
      }
    }, room);
    await alice.page.page.waitForURL(`**/c/${room}`, { timeout: 10_000 });
    await expect.poll(async () => (await shownNotifications(alice.page)).map((n) => n.title), poll).toEqual(['Team']);

    // Read on another device: the server's withdrawal closes that chat's notification and shows nothing new.
    const team = 'g.00000000-0000-4000-8000-000000000000';
    await deliver({ roomId: room, title: 'Bob', body: 'Are you there?', tag: room });
    await expect.poll(async () => (await shownNotifications(alice.page)).map((n) => n.title).sort(), poll).toEqual(['Bob', 'Team']);
    await deliver({ roomId: team, title: '', tag: team, close: true });
    await expect.poll(() => shownNotifications(alice.page), poll).toEqual([{ title: 'Bob', body: 'Are you there?', tag: room }]);
  });

  test('Settings saves message preview for the account; turning notifications on where the browser has no push service stays off and says why', async () => {
    const alice = await person('Alice');
    await alice.page.waitForOfflineShell();
    await alice.page.page.getByTestId('main-menu').click();
    await alice.page.page.getByTestId('open-settings').click();
    const section = alice.page.page.getByTestId('settings-notifications');
    await expect.poll(() => section.isVisible(), poll).toBe(true);
    const preview = alice.page.page.getByTestId('push-preview-toggle');
    await expect.poll(() => preview.isChecked(), poll).toBe(true);
    await preview.click();
    await expect.poll(() => preview.isChecked(), poll).toBe(false);
    await expect.poll(async () => (await alice.page.page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()))).user.pushPreview, poll).toBe(false);
    // On: the browser subscribes with its push service. Headless Chromium has none and refuses ("permission denied"),
    // so here the switch must stay off, say why, and the server keep nothing (the server's side is test/int/push.int.test.ts).
    const aliceId = await userIdOf(alice.username);
    const toggle = alice.page.page.getByTestId('push-toggle');
    await toggle.click();
    const error = alice.page.page.getByTestId('push-error');
    await expect.poll(() => error.isVisible(), { ...poll, timeout: 20_000 }).toBe(true);
    expect(await error.textContent()).toBe('This browser could not sign up with its push service. Try again later.');
    expect(await toggle.isChecked()).toBe(false);
    expect(await server.store.push.subscriptionsOf([aliceId])).toEqual([]);
    await section.scrollIntoViewIfNeeded();
    await alice.page.screenshot('settings-notifications');
  });

  async function userIdOf(username: string): Promise<UserId> {
    return (await api(server.url, 'POST', '/api/auth/login', { body: { username, password: PASSWORD } })).body.user.id as UserId;
  }
});
