import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { CHROMIUM_PATH, hasChromium } from '../helpers/services';
import { CHROMIUM_ARGS, PASSWORD, poll } from './browser';
import { ChatPage } from './chatPage';
import { closeAfterReport } from './pageReport';

/** Reconnecting after the network returns may wait out one backoff step (at most 10 s) on a slow machine. */
const reconnectPoll = { timeout: 30_000, interval: 200 };

describe.skipIf(!(await hasChromium()))('offline, many tabs, many devices', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let counter = 0;

  beforeAll(async () => {
    server = await startServer({ bucketSize: 1000 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(({ task }) => closeAfterReport(task, contexts));

  /** A new browser (device) on `url`, signed in as nobody yet. */
  async function device(url = server.url): Promise<ChatPage> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    contexts.push(context);
    return ChatPage.open(context, url);
  }

  /** A new person, registered in a browser of their own. */
  async function person(name: string, url = server.url): Promise<{ page: ChatPage; username: string; name: string }> {
    const username = `${name.toLowerCase()}_${Date.now().toString(36)}${++counter}`;
    const page = await device(url);
    await page.register(username, name, PASSWORD);
    return { page, username, name };
  }

  test('with no network at all, a reload or a new tab opens the app with every chat and its history', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.startDm(bob.username);
    for (const text of ['First', 'Second']) await alice.page.send(text);
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['First:sent', 'Second:sent']);
    await alice.page.createGroup('Book club', [bob.username]);
    await alice.page.send('Chapter one');
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Chapter one:sent']);
    await alice.page.waitForOfflineShell();
    const dmUrl = `${server.url}/c/${await alice.page.chatListItem('Bob').getAttribute('data-room')}`;

    await alice.page.goOffline();
    await alice.page.page.reload();
    await expect.poll(() => alice.page.chatTitles(), poll).toEqual(['Book club', 'Bob']);
    await expect.poll(() => alice.page.messageTexts(), poll).toEqual(['Chapter one']);
    await alice.page.page.getByTestId('offline-banner').waitFor();

    const tab = await alice.page.newTab(dmUrl);
    await expect.poll(() => tab.chatTitles(), poll).toEqual(['Book club', 'Bob']);
    await expect.poll(() => tab.messageTexts(), poll).toEqual(['First', 'Second']);
    expect(await tab.connectionText()).toBe('Offline');
    await tab.screenshot('offline-new-tab');
  });

  test('messages written offline wait with a clock, then go out in order and turn sent; marks survive a reload', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.createGroup('Trip', [bob.username]);
    await alice.page.send('Group hello');
    await alice.page.startDm(bob.username);
    await alice.page.send('Online first');
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Online first:sent']);

    await alice.page.goOffline();
    for (const text of ['Offline one', 'Offline two', 'Offline three']) await alice.page.send(text);
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Online first:sent', 'Offline one:pending', 'Offline two:pending', 'Offline three:pending']);
    await alice.page.openChat('Trip');
    await alice.page.send('Group offline');
    await expect.poll(() => alice.page.connectionText(), poll).toBe('Offline, 4 messages waiting to be sent');
    expect(await alice.page.bannerText()).toBe('You are offline. 4 messages will be sent when you reconnect.');
    // The chat list previews the newest waiting message of each chat, with the clock.
    expect(await alice.page.page.getByTestId('chat-preview').allTextContents()).toEqual(['Group offline', 'Offline three']);
    await alice.page.screenshot('offline-pending');

    // The marks are kept across a reload, still with no network.
    await alice.page.page.reload();
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Group hello:sent', 'Group offline:pending']);
    await expect.poll(() => alice.page.connectionText(), poll).toBe('Offline, 4 messages waiting to be sent');
    await alice.page.openChat('Bob');
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Online first:sent', 'Offline one:pending', 'Offline two:pending', 'Offline three:pending']);

    await alice.page.goOnline();
    await expect.poll(() => alice.page.ownMessageStates(), reconnectPoll).toEqual(['Online first:sent', 'Offline one:sent', 'Offline two:sent', 'Offline three:sent']);
    await expect.poll(() => alice.page.connectionText(), poll).toBe('Online');
    await bob.page.openChat('Alice');
    await expect.poll(() => bob.page.messageTexts(), poll).toEqual(['Online first', 'Offline one', 'Offline two', 'Offline three']);
    await bob.page.openChat('Trip');
    await expect.poll(() => bob.page.messageTexts(), poll).toEqual(['Group hello', 'Group offline']);
  });

  test('a DM and a group started offline show in the list at once and reach the others when back online', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const carol = await person('Carol');
    // Alice has met Bob and Carol (a search online), so she can find them offline.
    await alice.page.createGroup('Met', [bob.username, carol.username]);

    await alice.page.goOffline();
    await alice.page.startDm(carol.username);
    await alice.page.send('Hi Carol, from offline');
    await alice.page.createGroup('Offline plans', [bob.username, carol.username]);
    await alice.page.send('Made without a network');
    await expect.poll(() => alice.page.chatTitles(), poll).toEqual(['Offline plans', 'Carol', 'Met']);
    await alice.page.screenshot('offline-new-chats');

    await alice.page.goOnline();
    await expect.poll(() => carol.page.chatTitles(), reconnectPoll).toEqual(expect.arrayContaining(['Offline plans', 'Alice']));
    await carol.page.openChat('Alice');
    await expect.poll(() => carol.page.messageTexts(), poll).toEqual(['Hi Carol, from offline']);
    await expect.poll(() => bob.page.chatTitles(), poll).toEqual(expect.arrayContaining(['Offline plans']));
    await bob.page.openChat('Offline plans');
    await expect.poll(() => bob.page.messageTexts(), poll).toEqual(['Made without a network']);
    // Once the server lists them, each chat is in Alice's list once.
    await expect.poll(() => alice.page.chatTitles(), poll).toEqual(['Offline plans', 'Carol', 'Met']);
  });

  test('two people who start the same DM offline end up in one conversation', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    // They have met (a group), so each finds the other offline.
    await alice.page.createGroup('Neighbours', [bob.username]);
    await expect.poll(() => bob.page.chatTitles(), poll).toEqual(['Neighbours']);
    await bob.page.openChat('Neighbours');

    await alice.page.goOffline();
    await bob.page.goOffline();
    await alice.page.startDm(bob.username);
    await alice.page.send('Alice, offline');
    await bob.page.startDm(alice.username);
    await bob.page.send('Bob, offline');
    await alice.page.goOnline();
    await bob.page.goOnline();

    for (const side of [alice, bob]) {
      await expect.poll(() => side.page.messageTexts(), reconnectPoll).toEqual(expect.arrayContaining(['Alice, offline', 'Bob, offline']));
      expect(await side.page.messageTexts()).toHaveLength(2);
    }
    // One conversation, in one order on both sides, listed once.
    expect(await bob.page.messageTexts()).toEqual(await alice.page.messageTexts());
    await expect.poll(() => alice.page.chatTitles(), poll).toEqual(['Bob', 'Neighbours']);
    await expect.poll(() => bob.page.chatTitles(), poll).toEqual(['Alice', 'Neighbours']);
  });

  test('two tabs offline: what one writes shows in the other at once, and goes out once online', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.startDm(bob.username);
    await alice.page.send('Before the tabs');
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Before the tabs:sent']);
    const tab = await alice.page.newTab(alice.page.page.url());
    await expect.poll(() => tab.messageTexts(), poll).toEqual(['Before the tabs']);

    await alice.page.goOffline();
    await alice.page.send('Written in tab one');
    await expect.poll(() => tab.ownMessageStates(), poll).toEqual(['Before the tabs:sent', 'Written in tab one:pending']);
    await tab.send('Written in tab two');
    await expect.poll(() => alice.page.ownMessageStates(), poll).toEqual(['Before the tabs:sent', 'Written in tab one:pending', 'Written in tab two:pending']);
    await tab.screenshot('offline-two-tabs');

    await alice.page.goOnline();
    const all = ['Before the tabs:sent', 'Written in tab one:sent', 'Written in tab two:sent'];
    await expect.poll(() => alice.page.ownMessageStates(), reconnectPoll).toEqual(all);
    await expect.poll(() => tab.ownMessageStates(), poll).toEqual(all);
    await bob.page.openChat('Alice');
    await expect.poll(() => bob.page.messageTexts(), poll).toEqual(['Before the tabs', 'Written in tab one', 'Written in tab two']);
  });

  test('a second device signed in as the same person gets everything, and both converge after one was offline', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.startDm(bob.username);
    await alice.page.send('From the laptop');
    await bob.page.openChat('Alice');
    await bob.page.send('Hi laptop');

    const phone = await device();
    await phone.signIn(alice.username, PASSWORD);
    await phone.openChat('Bob');
    await expect.poll(() => phone.messageTexts(), poll).toEqual(['From the laptop', 'Hi laptop']);

    await phone.goOffline();
    await phone.send('From the phone, offline');
    await alice.page.send('From the laptop, online');
    await expect.poll(() => bob.page.messageTexts(), poll).toContain('From the laptop, online');
    await phone.goOnline();

    // The phone's message waited in its outbox until the chat had caught up, so it comes
    // after what was said meanwhile (the server accepts appends only at the true end).
    const conversation = ['From the laptop', 'Hi laptop', 'From the laptop, online', 'From the phone, offline'];
    for (const side of [alice.page, phone, bob.page]) {
      await expect.poll(() => side.messageTexts(), reconnectPoll).toEqual(conversation);
    }
    expect(await phone.messageTexts()).toEqual(await alice.page.messageTexts());
    expect(await bob.page.messageTexts()).toEqual(await alice.page.messageTexts());
    // The phone's message is the laptop's own message too: sent, no clock.
    await expect.poll(() => phone.page.getByTestId('message-pending').count(), poll).toBe(0);
  });

  test('signing out wipes the queued messages and the pending marks with the replicas', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.page.startDm(bob.username);
    await alice.page.goOffline();
    await alice.page.send('Never to be sent');
    await alice.page.page.getByTestId('message-pending').waitFor();
    expect(await alice.page.storedNames()).toEqual(expect.arrayContaining([expect.stringMatching(/^jeco:pending:/), expect.stringMatching(/^jeco:unsent:/)]));

    await alice.page.goOnline();
    await alice.page.signOut();
    await expect.poll(() => alice.page.storedNames(), poll).toEqual([]);
  });
});

const SESSION_MS = 15_000;

describe.skipIf(!(await hasChromium()))('a session that ends while offline', () => {
  test('keeps the chats usable; signing in again sends what was written meanwhile', async () => {
    // Sessions end 15 s after sign-in, so Alice's ends while her browser is offline. (Not
    // the idle expiry: the server counts a connection it still believes open as use,
    // and a socket cut by the offline switch lingers on the server until its timeout.)
    const server = await startServer({ env: { JECO_SESSION_MAX_MS: String(SESSION_MS) } });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const suffix = Date.now().toString(36);
      const open = async () => ChatPage.open(await browser.newContext({ viewport: { width: 1100, height: 700 } }), server.url);
      const alice = await open();
      const bob = await open();
      await alice.register(`alice_${suffix}`, 'Alice', PASSWORD);
      const signedUpAt = Date.now();
      await bob.register(`bob_${suffix}`, 'Bob', PASSWORD);
      await alice.startDm(`bob_${suffix}`);
      await alice.send('Before the break');
      await expect.poll(() => alice.ownMessageStates(), poll).toEqual(['Before the break:sent']);

      await alice.goOffline();
      await alice.send('During the break');
      await alice.send('Still during the break');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedUpAt + SESSION_MS + 500 - Date.now())));
      await alice.goOnline();
      await alice.page.getByTestId('session-ended').waitFor({ timeout: 30_000 });
      await expect.poll(() => alice.bannerText(), poll).toBe('Your session has ended. Please sign in again. Then 2 messages will be sent.Sign in');
      // Still readable and writable from this device.
      await alice.send('Written after the session ended');
      await expect
        .poll(() => alice.ownMessageStates(), poll)
        .toEqual(['Before the break:sent', 'During the break:pending', 'Still during the break:pending', 'Written after the session ended:pending']);
      expect(await alice.connectionText()).toBe('Signed out, 3 messages waiting to be sent');
      await alice.screenshot('session-ended');

      await alice.page.getByRole('button', { name: 'Sign in' }).click();
      await alice.signIn(`alice_${suffix}`, PASSWORD);
      await alice.openChat('Bob');
      await expect
        .poll(() => alice.ownMessageStates(), reconnectPoll)
        .toEqual(['Before the break:sent', 'During the break:sent', 'Still during the break:sent', 'Written after the session ended:sent']);
      // Bob's session reached its end in this test too: he signs in again to read.
      await bob.page.reload();
      if (bob.page.url().endsWith('/login') || (await bob.page.getByTestId('session-ended').count()) > 0) {
        if (!bob.page.url().endsWith('/login')) await bob.page.getByRole('button', { name: 'Sign in' }).click();
        await bob.signIn(`bob_${suffix}`, PASSWORD);
      }
      await bob.openChat('Alice');
      await expect.poll(() => bob.messageTexts(), poll).toEqual(['Before the break', 'During the break', 'Still during the break', 'Written after the session ended']);
    } finally {
      await browser.close();
    }
  });
});
