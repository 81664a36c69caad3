import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Reconnecting after the network returns may wait out one backoff step (at most 10 s) on a slow machine. */
const reconnectPoll = { timeout: 30_000, interval: 200 };

/** The open chat's timeline as read top to bottom: system lines and message texts, in order. */
function timeline(chat: ChatPage): Promise<string[]> {
  return chat.page.getByTestId('messages').evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('[data-message-id]')].map((row) => {
      if (row.dataset.testid === 'system-line') return `[${row.textContent ?? ''}]`;
      return row.querySelector('[data-testid="message-text"]')?.textContent ?? '';
    }),
  );
}

const refusedText = (chat: ChatPage) => chat.page.getByTestId('chat-refused').allTextContents();
const previewOf = (chat: ChatPage, title: string) => chat.chatListItem(title).getByTestId('chat-preview').textContent();

describe.skipIf(!(await hasChromium()))('a group from its creation to a member’s removal', () => {
  const { alice, bob, carol, usernames } = useSignedUpPeople(3);

  test('a group created offline reads as one created online: "created" first, the message as everyone’s preview, two ticks', async () => {
    const [, bobName, carolName] = usernames as [string, string, string];
    // People are looked up on the server: the form is filled in online, the group created offline.
    await alice.page.getByTestId('new-group').click();
    await alice.page.getByTestId('group-name').fill('Offline club');
    for (const username of [bobName, carolName]) {
      await alice.page.getByTestId('user-search').fill(username.slice(0, -1));
      await alice.page.locator(`[data-testid="user-result"][data-username="${username}"]`).click();
    }
    await alice.goOffline();
    await alice.page.getByTestId('create-group').click();
    await alice.page.getByTestId('chat-view').waitFor();
    await alice.send('Hello from the plane');
    await expect.poll(() => alice.ownMessageStates(), poll).toEqual(['Hello from the plane:pending']);

    await alice.goOnline();
    await expect.poll(() => alice.ownMessageStates(), reconnectPoll).toEqual(['Hello from the plane:sent']);
    await expect.poll(() => timeline(alice), poll).toEqual(['[You created group “Offline club”]', 'Hello from the plane']);

    for (const other of [bob, carol]) {
      await expect.poll(() => previewOf(other, 'Offline club'), poll).toBe('Alice Liddell: Hello from the plane');
      await expect.poll(() => other.unreadIn('Offline club'), poll).toBe(1);
    }
    // Both have the message on their device (their chat lists show it): two ticks, without a second message.
    await expect.poll(() => alice.statusOf('Hello from the plane'), poll).toBe('delivered');
    await bob.openChat('Offline club');
    await expect.poll(() => timeline(bob), poll).toEqual(['[Alice Liddell created group “Offline club”]', 'Hello from the plane']);
    await bob.screenshot('group-created-offline');
  });

  test('a member removed before opening the group reads what was said while they were in, and the line that removed them, and nothing after', async () => {
    await bob.openChat('Offline club');
    await alice.send('Plans for Saturday');
    await expect.poll(() => previewOf(carol, 'Offline club'), poll).toBe('Alice Liddell: Plans for Saturday');
    // Carol never opened the chat. Alice removes her.
    await alice.page.getByTestId('chat-header-title').click();
    const drawer = alice.page.getByTestId('group-info');
    await drawer.waitFor();
    const row = drawer.getByTestId('member-row').filter({ has: alice.page.getByTestId('member-name').getByText('Carol Danvers', { exact: true }) });
    await row.hover();
    await row.getByTestId('member-menu-button').click();
    await row.getByTestId('member-action-remove').click();
    await alice.page.getByTestId('confirm-dialog').getByTestId('confirm-go').click();
    await drawer.getByTestId('group-info-close').click();
    await expect.poll(() => timeline(alice), poll).toContain('[You removed Carol Danvers]');
    await alice.send('Secret after Carol left');
    await expect.poll(() => timeline(bob), poll).toContain('Secret after Carol left');

    await expect.poll(() => previewOf(carol, 'Offline club'), poll).toBe('Alice Liddell removed you');
    await carol.openChat('Offline club');
    await expect.poll(() => timeline(carol), poll).toEqual(['[Alice Liddell created group “Offline club”]', 'Hello from the plane', 'Plans for Saturday', '[Alice Liddell removed you]']);
    await expect.poll(() => refusedText(carol), poll).toEqual(['You were removed from this group.']);
    expect(await carol.page.getByTestId('composer').count()).toBe(0);
    // What was said after the removal never reaches her, not even a while later.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await timeline(carol)).not.toContain('Secret after Carol left');
    await carol.screenshot('group-removed-history');

    // A reload opens the same history from her device.
    await carol.page.reload();
    await expect.poll(() => timeline(carol), poll).toEqual(['[Alice Liddell created group “Offline club”]', 'Hello from the plane', 'Plans for Saturday', '[Alice Liddell removed you]']);
  });
});
