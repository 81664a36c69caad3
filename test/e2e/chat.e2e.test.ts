import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { CHROMIUM_PATH, hasChromium } from '../helpers/services';
import { CHROMIUM_ARGS, PASSWORD, poll } from './browser';
import { ChatPage, SEEN_WITHIN_MS } from './chatPage';

/** Tiny buckets, so that a short conversation already spans several of them. */
const BUCKET_SIZE = 3;

describe.skipIf(!(await hasChromium()))('two people chatting in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: ChatPage;
  let bob: ChatPage;
  const suffix = Date.now().toString(36);
  const aliceName = `alice_${suffix}`;
  const bobName = `bob_${suffix}`;

  beforeAll(async () => {
    server = await startServer({ bucketSize: BUCKET_SIZE });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    alice = await ChatPage.open(await browser.newContext({ viewport: { width: 1200, height: 760 } }), server.url);
    // Bob is on a phone-sized screen: one pane at a time.
    bob = await ChatPage.open(await browser.newContext({ viewport: { width: 390, height: 760 } }), server.url);
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('both register and land on an empty chat list', async () => {
    await alice.register(aliceName, 'Alice Liddell', PASSWORD);
    await bob.register(bobName, 'Bob Builder', PASSWORD);
    await alice.page.getByTestId('no-chats').waitFor();
    await alice.page.getByText('Select a chat or start a new one.').waitFor();
    await bob.page.getByTestId('no-chats').waitFor();
  });

  test('a DM delivers messages both ways without reloading, across buckets, in order', async () => {
    await alice.startDm(bobName);
    expect(await alice.page.getByTestId('chat-header-title').textContent()).toBe('Bob Builder');
    await alice.send('Hi Bob! <b>this stays plain text</b>');
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Hi Bob! <b>this stays plain text</b>']);

    await expect.poll(() => bob.chatTitles(), poll).toEqual(['Alice Liddell']);
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hi Bob! <b>this stays plain text</b>']);
    expect(await bob.page.locator('.bubble-text b').count()).toBe(0);

    await bob.send('Hey Alice');
    await bob.send('How are you?');
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Hi Bob! <b>this stays plain text</b>', 'Hey Alice', 'How are you?']);
    for (const text of ['Great, thanks', 'Lunch tomorrow?', 'Noon at the usual place']) await alice.send(text);

    const conversation = ['Hi Bob! <b>this stays plain text</b>', 'Hey Alice', 'How are you?', 'Great, thanks', 'Lunch tomorrow?', 'Noon at the usual place'];
    await expect.poll(() => bob.messageTexts(), poll).toEqual(conversation);
    // Sent messages are acknowledged by the server: none is left waiting.
    await expect.poll(() => alice.page.getByTestId('message-pending').count(), poll).toBe(0);
    await expect.poll(() => bob.chatTitles(), poll).toEqual(['Alice Liddell']);
    await alice.screenshot('alice-dm');
    await bob.screenshot('bob-dm');
  });

  test('after a reload, history comes from the local replica even with the server unreachable', async () => {
    alice.syncBlocked = true;
    await alice.page.reload();
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Hi Bob! <b>this stays plain text</b>', 'Hey Alice', 'How are you?', 'Great, thanks', 'Lunch tomorrow?', 'Noon at the usual place']);
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Bob Builder']);
    await alice.page.getByTestId('offline-banner').waitFor({ timeout: SEEN_WITHIN_MS });

    // Written offline: shown at once as waiting, delivered when the connection is back.
    await alice.send('Sent while offline');
    await alice.page.getByTestId('message-pending').waitFor();
    await alice.screenshot('alice-offline');
    // Still offline, the tab is reloaded away from the chat: the unsent message must go out all the same.
    await alice.page.goto(server.url);
    await alice.page.getByTestId('no-chat-selected').waitFor();
    alice.syncBlocked = false;
    await expect.poll(() => bob.messageTexts(), { ...poll, timeout: 30_000 }).toContain('Sent while offline');
    await alice.openChat('Bob Builder');
    await expect.poll(() => alice.messageTexts(), poll).toContain('Sent while offline');
    await expect.poll(() => alice.page.getByTestId('connection-status').getAttribute('data-status'), poll).toBe('connected');
  });

  test('a group carries messages both ways with author names', async () => {
    await alice.createGroup('Weekend plans', [bobName]);
    expect(await alice.page.getByTestId('chat-header-title').textContent()).toBe('Weekend plans');
    expect(await alice.page.getByTestId('chat-header-subtitle').textContent()).toBe('Bob Builder, You');
    await alice.send('Hiking on Saturday?');

    await bob.backToList();
    await expect.poll(() => bob.chatTitles(), poll).toEqual(['Weekend plans', 'Alice Liddell']);
    await bob.openChat('Weekend plans');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hiking on Saturday?']);
    expect(await bob.page.getByTestId('message-author').allTextContents()).toEqual(['Alice Liddell']);

    await bob.send("I'm in!");
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Hiking on Saturday?', "I'm in!"]);
    expect(await alice.page.getByTestId('message-author').allTextContents()).toEqual(['Bob Builder']);
    await expect.poll(() => alice.page.getByTestId('chat-preview').first().textContent(), poll).toBe("Bob Builder: I'm in!");
    await alice.screenshot('alice-group');
    await bob.screenshot('bob-group');
  });

  test('a long history opens with its newest buckets and loads older ones when scrolled to the top', async () => {
    const history = Array.from({ length: 40 }, (_, i) => `Story line ${i + 1}`);
    await alice.openChat('Bob Builder');
    for (const line of history) await alice.send(line);
    await expect.poll(async () => (await alice.messageTexts()).at(-1), poll).toBe('Story line 40');

    await bob.page.reload();
    await bob.backToList();
    await bob.openChat('Alice Liddell');
    await expect.poll(async () => (await bob.messageTexts()).at(-1), poll).toBe('Story line 40');
    // Only enough buckets to fill the screen are open at first: the start of the chat is not there yet.
    expect(await bob.messageTexts()).not.toContain('Hi Bob! <b>this stays plain text</b>');

    await expect
      .poll(
        async () => {
          await bob.scrollToOldest();
          return bob.historyTexts();
        },
        { ...poll, interval: 300 },
      )
      .toEqual(['Hi Bob! <b>this stays plain text</b>', 'Hey Alice', 'How are you?', 'Great, thanks', 'Lunch tomorrow?', 'Noon at the usual place', 'Sent while offline', ...history]);
    await bob.screenshot('bob-history-top');
  });

  test('signing out wipes the local replicas; signing in again brings the chats back from the server', async () => {
    expect(await alice.storedNames()).not.toEqual([]);
    await alice.signOut();
    await expect.poll(() => alice.storedNames(), poll).toEqual([]);
    await alice.signIn(aliceName, PASSWORD);
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Bob Builder', 'Weekend plans']);
  });
});
