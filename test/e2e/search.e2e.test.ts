import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Tiny buckets, so the first messages sit in an older bucket that a chat does not open by itself. */
const BUCKET_SIZE = 3;

const CAFE = 'Shall we meet at the Café Über at noon?';
const REPORT = 'The quarterly report is due on Friday';
const HTML = 'Look: <b>html</b> stays text';
const CONVERSATION = [
  CAFE,
  'How was the weekend?',
  'Did you water the plants?',
  'The train is late again',
  'I will bring snacks',
  'Good night, talk tomorrow',
  'Any news from the landlord?',
  REPORT,
  HTML,
];

describe.skipIf(!(await hasChromium()))('searching messages kept on the device', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2, { bucketSize: BUCKET_SIZE });
  const bobName = usernames[1]!;

  /** Types into the chat list's search box. */
  const searchSidebar = (page: ChatPage, query: string) => page.page.getByTestId('chat-search-input').fill(query);
  /** Each message result as `chat | author: snippet`, top to bottom. */
  const results = (page: ChatPage) =>
    page.page
      .getByTestId('search-result')
      .evaluateAll((rows) => rows.map((row) => `${row.querySelector('[data-testid="search-result-chat"]')?.textContent ?? ''} | ${row.querySelector('.search-result-text')?.textContent ?? ''}`));
  const marks = (page: ChatPage) => page.page.locator('[data-testid="search-result"] mark').allTextContents();

  /** Whether the message's row lies within the visible part of the message list. */
  const inView = (page: ChatPage, text: string) =>
    page.messageRow(text).evaluate((row) => {
      // The virtualized list may swap a row's element while it settles: a detached one is not in view.
      const list = row.closest('[data-testid="messages"]')?.getBoundingClientRect();
      const box = row.getBoundingClientRect();
      return !!list && box.top >= list.top && box.bottom <= list.bottom;
    });

  test('Alice writes to Bob, across several buckets', async () => {
    await alice.startDm(bobName);
    for (const text of CONVERSATION) await alice.send(text);
    await expect.poll(() => alice.page.getByTestId('message-pending').count(), poll).toBe(0);
  });

  test('Bob finds a message Alice sent through the chat list search, without having opened the chat, and lands on it', async () => {
    await expect.poll(() => bob.chatTitles(), poll).toEqual(['Alice Liddell']);
    await searchSidebar(bob, 'QUARTERLY friday');
    await expect.poll(() => results(bob), poll).toEqual([`Alice Liddell | ${REPORT}`]);
    expect(await marks(bob)).toEqual(['quarterly', 'Friday']);
    await bob.screenshot('search-sidebar');

    await bob.watchHighlights();
    await bob.page.getByTestId('search-result').click();
    await bob.page.getByTestId('chat-view').waitFor();
    await expect.poll(() => bob.highlighted(), poll).toContain(REPORT);
    await expect.poll(() => inView(bob, REPORT), poll).toBe(true);
    // The search stays, as it was, beside the chat.
    expect(await bob.page.getByTestId('chat-search-input').inputValue()).toBe('QUARTERLY friday');
  });

  test('a query and a message with markup show as literal text', async () => {
    await searchSidebar(bob, '<b>html</b>');
    await expect.poll(() => results(bob), poll).toEqual([`Alice Liddell | ${HTML}`]);
    expect(await marks(bob)).toEqual(['<b>html</b>']);
    expect(await bob.page.locator('[data-testid="search-results"] b').count()).toBe(0);
  });

  test('a result in an older bucket, not open in the chat, opens history back to it', async () => {
    // The first message is in bucket 0; opening the chat brings the two newest only, so bring the rest by scrolling up.
    await expect
      .poll(
        async () => {
          await bob.scrollToOldest();
          return bob.messageTexts();
        },
        { ...poll, interval: 300 },
      )
      .toEqual(CONVERSATION);
    await bob.page.goto(new URL('/', bob.page.url()).href);
    await searchSidebar(bob, 'cafe uber');
    await expect.poll(() => results(bob), poll).toEqual([`Alice Liddell | ${CAFE}`]);
    expect(await marks(bob)).toEqual(['Café', 'Über']);
    await bob.watchHighlights();
    await bob.page.getByTestId('search-result').click();
    await expect.poll(() => bob.highlighted(), poll).toContain(CAFE);
    await expect.poll(() => inView(bob, CAFE), poll).toBe(true);
  });

  test('search within a chat lists its matches newest first and jumps to the one clicked', async () => {
    await bob.page.getByTestId('chat-search-button').click();
    await bob.page.getByTestId('chat-search-panel-input').fill('the');
    await expect
      .poll(() => bob.page.locator('[data-testid="chat-search-results"] .search-snippet').allTextContents(), poll)
      // Newest first: every message containing "the", in reverse order of sending.
      .toEqual(CONVERSATION.filter((t) => t.toLowerCase().includes('the')).reverse());
    await bob.screenshot('search-in-chat');
    // Bob scrolled back to the start of the chat earlier: everything is searched, and no note says otherwise.
    expect(await bob.page.getByTestId('chat-search-older').count()).toBe(0);
    await bob.watchHighlights();
    await bob.page.locator('[data-testid="chat-search-results"] [data-testid="search-result"]').filter({ hasText: 'weekend' }).click();
    await expect.poll(() => bob.highlighted(), poll).toContain('How was the weekend?');
    await expect.poll(() => inView(bob, 'How was the weekend?'), poll).toBe(true);
    await bob.page.getByTestId('chat-search-close').click();
    await bob.page.getByTestId('chat-search-panel').waitFor({ state: 'detached' });
  });

  test('search works offline, from the local replicas alone', async () => {
    await bob.goOffline();
    await bob.page.reload();
    await bob.page.getByTestId('offline-banner').waitFor();
    await searchSidebar(bob, 'landlord');
    await expect.poll(() => results(bob), poll).toEqual(['Alice Liddell | Any news from the landlord?']);
    // Enter opens the newest result.
    await bob.watchHighlights();
    await bob.page.getByTestId('chat-search-input').press('Enter');
    await expect.poll(() => bob.highlighted(), poll).toContain('Any news from the landlord?');
    await bob.page.getByTestId('chat-search-input').press('Escape');
    await bob.page.getByTestId('chat-list').waitFor();
    await bob.goOnline();
  });

  test('a message Bob deleted for himself is not found by him', async () => {
    await bob.openChat('Alice Liddell');
    await searchSidebar(bob, 'snacks');
    await expect.poll(() => results(bob), poll).toEqual(['Alice Liddell | I will bring snacks']);
    await bob.deleteForMe('I will bring snacks');
    await expect.poll(() => results(bob), poll).toEqual([]);
    await bob.page.getByTestId('search-empty').waitFor();
  });

  test('a message deleted for everyone is not found any more; "No messages found" says so', async () => {
    await searchSidebar(bob, '');
    await bob.openChat('Alice Liddell');
    await alice.deleteForEveryone(REPORT);
    await expect.poll(() => bob.tombstoneCount(), poll).toBe(1);
    await searchSidebar(bob, 'quarterly');
    await bob.page.getByTestId('search-empty').waitFor({ timeout: 15_000 });
    expect(await bob.page.getByTestId('search-empty').textContent()).toBe('No messages found');
    expect(await results(bob)).toEqual([]);
  });

  test('offline, a chat never opened on the device is named as not searched; the next search online brings it', async () => {
    await alice.createGroup('Book club', [bobName]);
    await alice.send('The next book is Dune');
    await searchSidebar(bob, '');
    await expect.poll(() => bob.chatTitles(), poll).toContain('Book club');

    await bob.goOffline();
    await searchSidebar(bob, 'dune');
    await bob.page.getByTestId('search-empty').waitFor();
    expect(await bob.page.getByTestId('search-coverage').textContent()).toContain('1 chat has not been downloaded to this device yet');

    await bob.goOnline();
    await bob.page.getByTestId('connection-status').and(bob.page.locator('[data-status="connected"]')).waitFor({ timeout: 30_000 });
    await bob.page.getByTestId('chat-search-input').blur();
    await bob.page.getByTestId('chat-search-input').focus();
    await expect.poll(() => results(bob), { ...poll, timeout: 30_000 }).toEqual(['Book club | Alice Liddell: The next book is Dune']);
    await bob.page.getByTestId('search-coverage').waitFor({ state: 'detached' });
  });
});
