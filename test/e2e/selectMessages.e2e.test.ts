import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

describe.skipIf(!(await hasChromium()))('choosing several messages to forward, copy or delete together', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const bobName = usernames[1]!;

  const selectionCount = (page: ChatPage) => page.page.getByTestId('selection-count').textContent();
  /** Ticks (or unticks) a message's box while choosing. */
  const tick = (page: ChatPage, text: string) => page.messageRow(text).getByTestId('message-select').click();
  const startSelecting = async (page: ChatPage, text: string) => {
    await (await page.openMessageMenu(text)).getByTestId('action-select').click();
    await page.page.getByTestId('selection-bar').waitFor();
  };

  test('Alice and Bob talk in a DM and a group', async () => {
    await alice.createGroup('Trip', [bobName]);
    await alice.startDm(bobName);
    for (const text of ['Train at 9', 'Platform 4', 'Bring snacks']) await alice.send(text);
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Bring snacks').waitFor({ timeout: poll.timeout });
    await bob.send('Got it');
    await alice.messageRow('Got it').waitFor({ timeout: poll.timeout });
  });

  test('"Select" shows a box on every bubble and a bar with the count; Escape leaves', async () => {
    await startSelecting(alice, 'Train at 9');
    expect(await alice.page.getByTestId('message-select').count()).toBe(4);
    expect(await selectionCount(alice)).toBe('1 selected');
    // The composer gives way to the bar; the menus are gone while choosing.
    expect(await alice.page.getByTestId('composer').count()).toBe(0);
    expect(await alice.page.getByTestId('message-menu-button').count()).toBe(0);
    // A click on the bubble chooses too, as on a phone.
    await alice.messageRow('Platform 4').locator('.bubble').click();
    expect(await selectionCount(alice)).toBe('2 selected');
    await alice.screenshotGallery('select-messages');
    await alice.page.keyboard.press('Escape');
    await alice.page.getByTestId('selection-bar').waitFor({ state: 'detached' });
    expect(await alice.page.getByTestId('message-select').count()).toBe(0);
    await alice.page.getByTestId('composer').waitFor();
  });

  test('"Delete for everyone" is offered only while every chosen message allows it', async () => {
    await startSelecting(alice, 'Platform 4');
    await tick(alice, 'Got it');
    expect(await selectionCount(alice)).toBe('2 selected');
    expect(await alice.page.getByTestId('selection-delete-for-everyone').count()).toBe(0);
    await tick(alice, 'Got it');
    await tick(alice, 'Bring snacks');
    await alice.page.getByTestId('selection-delete-for-everyone').click();
    await alice.page.getByTestId('selection-bar').waitFor({ state: 'detached' });
    await expect.poll(() => bob.tombstoneCount(), poll).toBe(2);
    expect(await bob.messageTexts()).toEqual(['Train at 9', 'Got it']);
    expect(await alice.messageTexts()).toEqual(['Train at 9', 'Got it']);
  });

  test("copy puts the chosen messages on the clipboard in the chat's order, each with time and author", async () => {
    await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(alice.page.url()).origin });
    // Chosen out of order: the copy still follows the chat.
    await startSelecting(alice, 'Got it');
    await tick(alice, 'Train at 9');
    await alice.page.getByTestId('selection-copy').click();
    await alice.page.getByTestId('selection-bar').waitFor({ state: 'detached' });
    const copied = await alice.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^\[\d{1,2}:\d{2}( [AP]M)? Alice Liddell\] Train at 9\n\[\d{1,2}:\d{2}( [AP]M)? Bob Builder\] Got it$/);
  });

  test('forward several messages at once: they arrive together, in order, marked "Forwarded"', async () => {
    await startSelecting(alice, 'Got it');
    await tick(alice, 'Train at 9');
    await alice.page.getByTestId('selection-forward').click();
    const dialog = alice.page.getByTestId('forward-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toBe('Forward 2 messages to');
    await dialog.locator('[data-testid="forward-chat"][data-title="Trip"]').click();
    await dialog.getByTestId('forward-send').click();
    await dialog.waitFor({ state: 'detached' });
    await alice.page.getByTestId('selection-bar').waitFor({ state: 'detached' });

    await bob.openChat('Trip');
    await expect.poll(() => bob.page.locator('[data-testid="message"]:has([data-testid="message-forwarded"]) [data-testid="message-text"]').allTextContents(), poll).toEqual(['Train at 9', 'Got it']);
  });

  test('delete for me hides the chosen messages on my side only', async () => {
    await alice.openChat('Bob Builder');
    await startSelecting(alice, 'Train at 9');
    await tick(alice, 'Got it');
    await alice.page.getByTestId('selection-delete-for-me').click();
    await expect.poll(() => alice.messageTexts(), poll).toEqual([]);
    await bob.openChat('Alice Liddell');
    // Bob's list fills as his replica loads: both messages are still his.
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Train at 9', 'Got it']);
  });
});
