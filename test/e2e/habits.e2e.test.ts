import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Searches the open emoji picker and picks the first emoji found. */
async function pickEmoji(page: ChatPage, search: string): Promise<void> {
  const picker = page.page.getByTestId('emoji-picker');
  await picker.getByRole('combobox').fill(search, { timeout: poll.timeout });
  await picker
    .getByRole('option', { name: new RegExp(search, 'i') })
    .first()
    .click({ timeout: poll.timeout });
}

describe.skipIf(!(await hasChromium()))('chat-app habits', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);

  beforeAll(async () => {
    await alice.startDm(usernames[1]!);
    await alice.send('Hello Bob');
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Hello Bob').waitFor({ timeout: poll.timeout });
  });

  test('the composer has an emoji picker with search; the emoji goes where the caret is', async () => {
    const composer = alice.page.getByTestId('composer');
    await composer.fill('Dinner is ');
    await alice.page.getByTestId('composer-emoji').click();
    await pickEmoji(alice, 'pizza');
    await alice.screenshot('emoji-picker');
    expect(await composer.inputValue()).toBe('Dinner is 🍕');
    await alice.page.keyboard.press('Escape');
    await alice.page.getByTestId('emoji-picker').waitFor({ state: 'detached' });
    await composer.press('Enter');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hello Bob', 'Dinner is 🍕']);
  });

  test('a reaction can be any emoji, and the other person sees it', async () => {
    const menu = await bob.openMessageMenu('Dinner is 🍕');
    await menu.getByTestId('reaction-more').click();
    await pickEmoji(bob, 'avocado');
    await expect.poll(() => bob.reactionsOf('Dinner is 🍕'), poll).toEqual(['🥑 1']);
    await expect.poll(() => alice.reactionsOf('Dinner is 🍕'), poll).toEqual(['🥑 1']);
  });

  test('keyboard: Shift+Enter breaks the line, Enter sends, ↑ edits my last message, Escape leaves the edit', async () => {
    const composer = alice.page.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('Two');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('lines');
    expect(await composer.inputValue()).toBe('Two\nlines');
    await composer.press('Enter');
    await expect.poll(() => bob.messageTexts(), poll).toContain('Two\nlines');

    await composer.press('ArrowUp');
    await alice.page.getByTestId('edit-preview').waitFor();
    expect(await composer.inputValue()).toBe('Two\nlines');
    await composer.press('Escape');
    await alice.page.getByTestId('edit-preview').waitFor({ state: 'detached' });
    expect(await composer.inputValue()).toBe('');
    await composer.press('ArrowUp');
    await composer.fill('Two lines, edited');
    await composer.press('Enter');
    await expect.poll(() => bob.messageTexts(), poll).toContain('Two lines, edited');
  });

  test('keyboard: Ctrl+K searches chats, Alt+↑/↓ move between chats, Ctrl+/ lists the shortcuts, Escape closes', async () => {
    await alice.createGroup('Trip', [usernames[1]!]);
    await alice.send('Packed?');
    const title = () => alice.page.getByTestId('chat-header-title').textContent();
    expect(await title()).toBe('Trip');
    await alice.page.keyboard.press('Alt+ArrowDown');
    await expect.poll(title, poll).toBe('Bob Builder');
    await alice.page.keyboard.press('Alt+ArrowUp');
    await expect.poll(title, poll).toBe('Trip');

    await alice.page.keyboard.press('Control+k');
    await expect.poll(() => alice.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), poll).toBe('chat-search-input');
    await alice.page.keyboard.type('Bob');
    await alice.page.getByTestId('search-chats').waitFor();
    await alice.page.keyboard.press('Escape');
    await expect.poll(() => alice.page.getByTestId('chat-search-input').inputValue(), poll).toBe('');

    await alice.page.keyboard.press('Control+/');
    const dialog = alice.page.getByTestId('shortcuts-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Search chats');
    await alice.screenshot('shortcuts-dialog');
    await alice.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await alice.page.getByTestId('new-chat').click();
    await alice.page.getByTestId('new-chat-panel').waitFor();
    await alice.page.keyboard.press('Escape');
    await alice.page.getByTestId('new-chat-panel').waitFor({ state: 'detached' });
  });

  test('copy a message\'s text; star messages and find them in "Starred messages", in every tab', async () => {
    await bob.openChat('Alice Liddell');
    await bob.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bob.page.url()).origin });
    await (await bob.openMessageMenu('Hello Bob')).getByTestId('action-copy').click();
    await expect.poll(() => bob.page.evaluate(() => navigator.clipboard.readText()), poll).toBe('Hello Bob');

    await (await bob.openMessageMenu('Hello Bob')).getByTestId('action-star').click();
    await bob.messageRow('Hello Bob').getByTestId('message-starred').waitFor();
    await bob.page.getByTestId('main-menu').click();
    await bob.page.getByTestId('open-starred').click();
    await expect.poll(() => bob.page.getByTestId('starred-text').allTextContents(), poll).toContain('Hello Bob');
    await bob.screenshot('starred');

    // Another tab sees the same stars (they live in Bob's inbox, so his other devices do too).
    const tab = await bob.newTab(bob.page.url());
    await tab.page.getByTestId('main-menu').click();
    await tab.page.getByTestId('open-starred').click();
    await expect.poll(() => tab.page.getByTestId('starred-text').allTextContents(), poll).toContain('Hello Bob');
    await tab.page.close();

    // A starred message opens in its chat; unstarring takes it off the list.
    await bob.page.getByTestId('starred-item').filter({ hasText: 'Hello Bob' }).click();
    await bob.messageRow('Hello Bob').waitFor();
    await (await bob.openMessageMenu('Hello Bob')).getByTestId('action-star').click();
    await bob.messageRow('Hello Bob').getByTestId('message-starred').waitFor({ state: 'detached' });
  });

  test('forward a message to several chats at once: it arrives marked "Forwarded"', async () => {
    await alice.openChat('Bob Builder');
    await (await alice.openMessageMenu('Two lines, edited')).getByTestId('action-forward').click();
    const dialog = alice.page.getByTestId('forward-dialog');
    await dialog.waitFor();
    for (const title of ['Trip', 'Bob Builder']) await dialog.locator(`[data-testid="forward-chat"][data-title="${title}"]`).click();
    await alice.screenshot('forward-dialog');
    await dialog.getByTestId('forward-send').click();
    await dialog.waitFor({ state: 'detached' });

    const forwardedIn = async (page: ChatPage, title: string) => {
      await page.openChat(title);
      const row = page.messageRow('Two lines, edited').filter({ has: page.page.getByTestId('message-forwarded') });
      await row.waitFor({ timeout: poll.timeout });
      return row.count();
    };
    expect(await forwardedIn(bob, 'Trip')).toBe(1);
    expect(await forwardedIn(bob, 'Alice Liddell')).toBe(1);
    // The original stays as it was, not marked.
    expect(await bob.messageRow('Two lines, edited').count()).toBe(2);
    await expect.poll(() => alice.ownMessageStates(), poll).not.toContain('Two lines, edited:pending');
  });

  test('forward a document to another chat: it arrives "Forwarded" and opens for the receiver, without uploading it again', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% the plan\n'), Buffer.alloc(5000, 3)]);
    await alice.openChat('Bob Builder');
    await alice.page.getByTestId('file-input').setInputFiles([{ name: 'Plan.pdf', mimeType: 'application/pdf', buffer: pdf }]);
    await alice.page.getByTestId('composer').fill('the plan');
    await alice.page.getByTestId('send').click();
    await alice.messageRow('the plan').getByTestId('attachment-document').waitFor({ timeout: poll.timeout });
    const uploads: string[] = [];
    alice.page.on('request', (request) => {
      if (request.url().includes('/api/files/tus')) uploads.push(request.method());
    });
    await (await alice.openMessageMenu('the plan')).getByTestId('action-forward').click();
    const dialog = alice.page.getByTestId('forward-dialog');
    await dialog.locator('[data-testid="forward-chat"][data-title="Trip"]').click();
    await dialog.getByTestId('forward-send').click();
    await dialog.waitFor({ state: 'detached' });

    await bob.openChat('Trip');
    const row = bob.messageRow('the plan').filter({ has: bob.page.getByTestId('message-forwarded') });
    await row.waitFor({ timeout: poll.timeout });
    expect(await row.getByTestId('attachment-name').textContent()).toBe('Plan.pdf');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), row.getByTestId('attachment-document').click()]);
    expect(download.suggestedFilename()).toBe('Plan.pdf');
    expect((await readFile((await download.path())!)).equals(pdf)).toBe(true);
    expect(uploads).toEqual([]);
    await bob.screenshot('forwarded-document');
  });
});
