import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Records the desktop notifications a page shows (the browser's own are invisible to a test). */
async function recordNotifications(page: ChatPage): Promise<void> {
  await page.context.grantPermissions(['notifications']);
  await page.context.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(`${title}: ${options?.body ?? ''}`);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    window.Notification = Recorded as typeof Notification;
  });
}

describe.skipIf(!(await hasChromium()))('the chat list: drafts, pins, mutes, archive, typing, mentions and links', () => {
  const { alice, bob, carol, usernames } = useSignedUpPeople(3);
  const bobName = usernames[1]!;
  const carolName = usernames[2]!;
  const shown = () => alice.page.evaluate(() => (window as unknown as { shownNotifications?: string[] }).shownNotifications ?? []);

  beforeAll(async () => {
    await recordNotifications(alice);
    await alice.page.reload();
    await alice.page.getByTestId('no-chats').waitFor();
  });

  test('an unsent draft shows in the list and follows Alice to another tab; sending clears it', async () => {
    await alice.startDm(bobName);
    await alice.send('Hello Bob');
    await alice.page.getByTestId('composer').fill('See you at');
    await alice.page.waitForTimeout(600);
    await alice.createGroup('Climbing', [bobName, carolName]);
    await expect.poll(() => alice.chatListItem('Bob Builder').getByTestId('chat-preview').textContent(), poll).toBe('Draft: See you at');

    const tab = await alice.newTab(alice.page.url());
    await tab.openChat('Bob Builder');
    await expect.poll(() => tab.page.getByTestId('composer').inputValue(), poll).toBe('See you at');
    await tab.page.getByTestId('composer').press('End');
    await tab.page.getByTestId('composer').pressSequentially(' noon');
    await tab.page.getByTestId('composer').press('Enter');
    // One's own last message shows with its ticks: Bob has Jeco open, so two.
    await expect.poll(() => alice.chatListItem('Bob Builder').getByTestId('chat-preview').textContent(), poll).toBe('See you at noon');
    await expect.poll(() => alice.chatListItem('Bob Builder').locator('.bubble-status').getAttribute('data-status'), poll).toBe('delivered');
    await tab.page.close();
  });

  test('pinned chats stay on top, muted ones are marked, archived ones move behind "Archived"', async () => {
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Bob Builder', 'Climbing']);
    await alice.chatAction('Climbing', 'action-pin');
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Climbing', 'Bob Builder']);
    await bob.openChat('Alice Liddell');
    await bob.send('New message');
    // A new message elsewhere does not move a chat above a pinned one; Alice, reading another chat, is notified.
    await expect.poll(() => alice.unreadIn('Bob Builder'), poll).toBe(1);
    expect(await alice.chatTitles()).toEqual(['Climbing', 'Bob Builder']);
    expect(await alice.chatListItem('Climbing').getByTestId('chat-pinned').count()).toBe(1);
    await expect.poll(shown, poll).toEqual(['Bob Builder: New message']);

    await alice.chatAction('Bob Builder', 'action-mute', 2);
    await expect.poll(() => alice.chatListItem('Bob Builder').getByTestId('chat-muted').count(), poll).toBe(1);
    await bob.send('While muted');
    await expect.poll(() => alice.unreadIn('Bob Builder'), poll).toBe(2);
    expect(await alice.chatListItem('Bob Builder').getByTestId('chat-unread').getAttribute('class')).toContain('muted');
    await alice.chatAction('Bob Builder', 'action-archive');
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Climbing']);
    await expect.poll(() => alice.page.getByTestId('archived-row').textContent(), poll).toContain('Archived');
    await alice.page.getByTestId('archived-row').click();
    expect(await alice.chatTitles()).toEqual(['Bob Builder']);
    await alice.screenshot('chat-list-archived');
    await alice.page.getByTestId('archived-back').click();
    // The muted chat's message made no notification.
    expect(await shown()).toEqual(['Bob Builder: New message']);
  });

  test('"typing…" shows in the chat list too', async () => {
    await alice.page.getByTestId('archived-row').click();
    await bob.page.getByTestId('composer').pressSequentially('Still th');
    await expect.poll(() => alice.chatListItem('Bob Builder').getByTestId('chat-typing').textContent(), poll).toBe('typing…');
    await bob.page.getByTestId('composer').fill('');
    // Alice reads Bob's chat, which leaves the group in the background.
    await alice.openChat('Bob Builder');
    await alice.page.getByTestId('archived-back').click();
  });

  test('@ opens a member picker; the mention is highlighted and notifies Alice even in a muted group', async () => {
    await alice.chatAction('Climbing', 'action-mute', 2);
    await carol.openChat('Climbing');
    await carol.send('Who is coming?');
    await expect.poll(() => alice.unreadIn('Climbing'), poll).toBe(1);
    expect(await shown()).toEqual(['Bob Builder: New message']);

    await carol.page.getByTestId('composer').pressSequentially('@Al');
    await expect.poll(() => carol.page.locator('[data-testid="mention-option"] .mention-name').allTextContents(), poll).toEqual(['Alice Liddell']);
    await carol.page.getByTestId('composer').press('Enter');
    expect(await carol.page.getByTestId('composer').inputValue()).toBe('@Alice Liddell ');
    await carol.page.getByTestId('composer').pressSequentially('bring the rope');
    await carol.page.getByTestId('composer').press('Enter');

    await expect.poll(() => alice.chatListItem('Climbing').getByTestId('chat-mention').count(), poll).toBe(1);
    await expect.poll(shown, poll).toEqual(['Bob Builder: New message', 'Climbing: Carol Danvers: @Alice Liddell bring the rope']);
    await alice.openChat('Climbing');
    await expect.poll(() => alice.page.getByTestId('message-mention').allTextContents(), poll).toEqual(['@Alice Liddell']);
    // The highlighted name flows with the text: one short message is one line.
    const lineTops = await alice.page.getByTestId('message-mention').evaluate((mention) => {
      const range = document.createRange();
      range.selectNodeContents(mention.nextSibling!);
      return [mention.getBoundingClientRect().top, range.getBoundingClientRect().top];
    });
    expect(Math.abs(lineTops[0]! - lineTops[1]!)).toBeLessThan(2);
    await expect.poll(() => alice.chatListItem('Climbing').getByTestId('chat-mention').count(), poll).toBe(0);
  });

  test('links open safely in a new tab, and markup stays text', async () => {
    await carol.send('Route topo at example.com/topo?id=7 <b>not bold</b>');
    const link = alice.messageRow('Route topo at example.com/topo?id=7 <b>not bold</b>').getByTestId('message-link');
    await expect.poll(() => link.getAttribute('href'), poll).toBe('https://example.com/topo?id=7');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await alice.page.locator('.bubble-text b').count()).toBe(0);
    await alice.screenshot('chat-mentions-links');
  });
  test('a chat\'s notification level: "Mentions only" announces only mentions, "Off" nothing, and the tab title follows', async () => {
    // Alice reads Bob's chat, so Climbing is not in front of her.
    await alice.page.getByTestId('archived-row').click();
    await alice.openChat('Bob Builder');
    await alice.page.getByTestId('archived-back').click();
    await alice.chatAction('Climbing', 'action-unmute');
    await expect.poll(() => alice.chatListItem('Climbing').getByTestId('chat-muted').count(), poll).toBe(0);
    // The link above was read in the open chat: its index entry may reach Alice only now
    // (a busy room's projection gathers for half a second), and is not announced then.
    const before = (await shown()).length;
    const title = () => alice.page.title();

    await alice.chatAction('Climbing', 'notify-mentions');
    const row = alice.page.locator('.chat-item-row').filter({ has: alice.chatListItem('Climbing') });
    await row.hover();
    await row.getByTestId('chat-menu-button').click();
    const levels = alice.page.getByTestId('chat-menu').getByTestId('notify-levels');
    await expect.poll(() => levels.locator('[aria-checked="true"]').textContent(), poll).toContain('Mentions only');
    await alice.screenshot('chat-menu-notification-level');
    await alice.page.keyboard.press('Escape');
    await expect.poll(() => alice.chatListItem('Climbing').getByTestId('chat-muted').getAttribute('title'), poll).toBe('Notifications for mentions only');

    await carol.send('Rope is packed');
    await expect.poll(() => alice.unreadIn('Climbing'), poll).toBe(1);
    expect(await alice.chatListItem('Climbing').getByTestId('chat-unread').getAttribute('class')).toContain('muted');
    expect(await title()).toBe('Jeco');
    await carol.page.getByTestId('composer').pressSequentially('@Al');
    await carol.page.getByTestId('composer').press('Enter');
    await carol.page.getByTestId('composer').pressSequentially('you drive');
    await carol.page.getByTestId('composer').press('Enter');
    await expect.poll(async () => (await shown()).slice(before), poll).toEqual(['Climbing: Carol Danvers: @Alice Liddell you drive']);
    await expect.poll(title, poll).toBe('(1) Jeco');

    // "Off": not even a mention; the chat leaves the title's count. The level follows Alice to another tab.
    await alice.chatAction('Climbing', 'notify-off');
    await expect.poll(title, poll).toBe('Jeco');
    const tab = await alice.newTab(alice.page.url());
    await expect.poll(() => tab.chatListItem('Climbing').getByTestId('chat-muted').getAttribute('title'), poll).toBe('Notifications off');
    await tab.page.close();
    await carol.page.getByTestId('composer').pressSequentially('@Al');
    await carol.page.getByTestId('composer').press('Enter');
    await carol.page.getByTestId('composer').pressSequentially('still there?');
    await carol.page.getByTestId('composer').press('Enter');
    await expect.poll(() => alice.unreadIn('Climbing'), poll).toBe(3);

    // Back to "All messages": everything is announced again.
    await alice.chatAction('Climbing', 'notify-all');
    await expect.poll(() => alice.chatListItem('Climbing').getByTestId('chat-muted').count(), poll).toBe(0);
    await carol.send('Leaving at eight');
    await expect.poll(async () => (await shown()).slice(before), poll).toEqual(['Climbing: Carol Danvers: @Alice Liddell you drive', 'Climbing: Carol Danvers: Leaving at eight']);
  });
});
