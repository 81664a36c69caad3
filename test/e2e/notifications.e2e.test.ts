import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

describe.skipIf(!(await hasChromium()))('the notification bell and list', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const aliceName = usernames[0]!;
  const MENTION = '@Alice Liddell can you check the budget?';

  /** The number on the bell, or 0 when it shows none. */
  const bellCount = async (page: ChatPage) => {
    const badge = page.page.getByTestId('notifications-unread');
    return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
  };
  const listed = (page: ChatPage) =>
    page.page
      .getByTestId('notification-item')
      .evaluateAll((items) =>
        items.map((item) => `${item.querySelector('[data-testid="notification-text"]')?.textContent ?? ''}${(item as HTMLElement).dataset.unread === 'true' ? ' (unread)' : ''}`),
      );

  test('starts empty, and says what will show there', async () => {
    expect(await bellCount(alice)).toBe(0);
    await alice.page.getByTestId('notifications-bell').click();
    await expect.poll(() => alice.page.getByTestId('notifications-empty').textContent(), poll).toContain('No notifications yet');
    await alice.page.getByTestId('panel-back').click();
  });

  test('the bell counts up when Bob adds Alice to a group and mentions her; the list opens the chat at the message', async () => {
    await bob.createGroup('Team', [aliceName]);
    await expect.poll(() => bellCount(alice), poll).toBe(1);

    await bob.page.getByTestId('composer').pressSequentially('@Al');
    await expect.poll(() => bob.page.locator('[data-testid="mention-option"] .mention-name').allTextContents(), poll).toEqual(['Alice Liddell']);
    await bob.page.getByTestId('composer').press('Enter');
    await bob.page.getByTestId('composer').pressSequentially('can you check the budget?');
    await bob.page.getByTestId('composer').press('Enter');
    await expect.poll(() => bellCount(alice), poll).toBe(2);
    // Enough after it that opening the chat at its end would not show the mention.
    for (let i = 1; i <= 30; i++) await bob.send(`line ${i} of the plan`);
    await expect.poll(() => alice.chatListItem('Team').getByTestId('chat-preview').textContent(), poll).toContain('line 30 of the plan');
    expect(await bellCount(alice)).toBe(2);
    await alice.page.locator('.sidebar-header').screenshot({ path: 'test-results/e2e/notifications-bell.png' });

    await alice.page.getByTestId('notifications-bell').click();
    await expect.poll(() => listed(alice), poll).toEqual(['Bob Builder mentioned you in Team (unread)', 'Bob Builder added you to Team (unread)']);
    expect(await alice.page.getByTestId('notifications-panel').locator('.notification-preview').first().textContent()).toBe(MENTION);
    await alice.screenshot('notifications-list');

    await alice.watchHighlights();
    await alice.page.getByTestId('notification-item').first().click();
    await alice.page.getByTestId('chat-view').waitFor();
    await expect.poll(() => alice.highlighted(), poll).toContain(MENTION);
    await expect
      .poll(
        () =>
          alice.messageRow(MENTION).evaluate((row) => {
            const list = row.closest('[data-testid="messages"]')?.getBoundingClientRect();
            const box = row.getBoundingClientRect();
            return !!list && box.top >= list.top && box.bottom <= list.bottom;
          }),
        poll,
      )
      .toBe(true);
    // Opening it marked it read; the other stays unread.
    await expect.poll(() => bellCount(alice), poll).toBe(1);
  });

  test('"Mark all read" in one tab clears the bell in Alice\'s other tab', async () => {
    const other = await alice.newTab(new URL(alice.page.url()).origin);
    await expect.poll(() => bellCount(other), poll).toBe(1);
    await other.page.getByTestId('notifications-bell').click();
    await expect.poll(() => listed(other), poll).toEqual(['Bob Builder mentioned you in Team', 'Bob Builder added you to Team (unread)']);

    await alice.page.getByTestId('notifications-bell').click();
    await alice.page.getByTestId('notifications-mark-all').click();
    await expect.poll(() => bellCount(alice), poll).toBe(0);
    await expect.poll(() => listed(other), poll).toEqual(['Bob Builder mentioned you in Team', 'Bob Builder added you to Team']);
    await other.page.getByTestId('panel-back').click();
    await expect.poll(() => bellCount(other), poll).toBe(0);
    expect(await other.page.getByTestId('notifications-bell').getAttribute('aria-label')).toBe('Notifications');

    // Dark mode: the list stays readable.
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await alice.screenshot('notifications-list-dark');
    await alice.page.emulateMedia({ colorScheme: 'light' });
    await other.page.close();
  });
  test("Bob reacting to Alice's message is in her list, with the emoji and her words; changing it updates the same item", async () => {
    await alice.page.getByTestId('panel-back').click();
    await alice.openChat('Team');
    await alice.send('Budget checked, we are fine');
    await expect.poll(() => bob.messageRow('Budget checked, we are fine').count(), poll).toBe(1);
    await bob.react('Budget checked, we are fine', '👍');
    await expect.poll(() => bellCount(alice), poll).toBe(1);
    await alice.page.getByTestId('notifications-bell').click();
    await expect.poll(() => listed(alice), poll).toEqual(['Bob Builder reacted 👍 to your message in Team (unread)', 'Bob Builder mentioned you in Team', 'Bob Builder added you to Team']);
    expect(await alice.page.getByTestId('notifications-panel').locator('.notification-preview').first().textContent()).toBe('Budget checked, we are fine');
    await alice.screenshot('notifications-reaction');
    await bob.react('Budget checked, we are fine', '❤️');
    await expect.poll(() => listed(alice), poll).toEqual(['Bob Builder reacted ❤️ to your message in Team (unread)', 'Bob Builder mentioned you in Team', 'Bob Builder added you to Team']);
    await alice.page.getByTestId('panel-back').click();
  });
});
