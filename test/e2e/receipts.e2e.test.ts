import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

describe.skipIf(!(await hasChromium()))('receipts, unread counts and presence', () => {
  const { alice, carol, usernames, ...cast } = useSignedUpPeople(3);
  // One test reopens Jeco in a new tab as Bob: from then on that tab is his page.
  let { bob } = cast;
  const bobName = usernames[1]!;
  const carolName = usernames[2]!;

  test("a DM message goes from one tick to two when Bob's device has it, and blue when he reads it", async () => {
    await alice.startDm(bobName);
    await alice.send('Lunch at one?');
    await alice.send('At the usual place');
    // Bob has Jeco open on his chat list, not this chat: delivered, not read.
    await expect.poll(() => alice.statusOf('At the usual place'), poll).toBe('delivered');
    await expect.poll(() => bob.unreadIn('Alice Liddell'), poll).toBe(2);
    expect(await bob.page.title()).toBe('(1) Jeco');
    expect(await alice.statusOf('Lunch at one?')).toBe('delivered');

    await bob.openChat('Alice Liddell');
    await expect.poll(() => alice.statusOf('At the usual place'), poll).toBe('read');
    expect(await alice.statusOf('Lunch at one?')).toBe('read');
    // The chat list shows the same ticks before Alice's last message.
    await expect.poll(() => alice.chatListItem('Bob Builder').locator('.bubble-status').getAttribute('data-status'), poll).toBe('read');
    await expect.poll(() => bob.unreadIn('Alice Liddell'), poll).toBe(0);
    expect(await bob.page.title()).toBe('Jeco');
    await alice.screenshot('receipts-dm-read');
  });

  test('a DM header says "online" while the peer has Jeco open, then when they were last seen', async () => {
    await expect.poll(() => alice.headerSubtitle(), poll).toBe('online');
    const url = new URL(bob.page.url()).origin;
    await bob.page.close();
    await expect.poll(() => alice.headerSubtitle(), poll).toMatch(/^last seen today at \d\d:\d\d$/);

    // With Jeco closed nothing reaches Bob's device: one tick only.
    await alice.send('Are you there?');
    await expect.poll(() => alice.statusOf('Are you there?'), poll).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await alice.statusOf('Are you there?')).toBe('sent');

    bob = await bob.newTab(url);
    await expect.poll(() => alice.statusOf('Are you there?'), poll).toBe('delivered');
    await expect.poll(() => alice.headerSubtitle(), poll).toBe('online');
    await bob.openChat('Alice Liddell');
    await expect.poll(() => alice.statusOf('Are you there?'), poll).toBe('read');
  });

  test('in a group, ticks wait for everyone, and Message info says who read and who only received', async () => {
    await alice.createGroup('Book club', [bobName, carolName]);
    await alice.send('Chapter 3 by Friday');
    await expect.poll(() => alice.statusOf('Chapter 3 by Friday'), poll).toBe('delivered');
    await bob.openChat('Book club');
    await expect.poll(() => bob.messageTexts(), poll).toContain('Chapter 3 by Friday');
    // Bob has read it, Carol has not: still two grey ticks.
    const info = async () => {
      const shown = await alice.messageInfo('Chapter 3 by Friday');
      await alice.closeDialog();
      return shown;
    };
    await expect.poll(info, poll).toEqual({ read: ['Bob Builder'], delivered: ['Carol Danvers'], waiting: [] });
    await alice.messageInfo('Chapter 3 by Friday');
    await alice.screenshot('message-info-group');
    await alice.closeDialog();
    expect(await alice.statusOf('Chapter 3 by Friday')).toBe('delivered');
    expect(await carol.unreadIn('Book club')).toBe(1);

    await carol.openChat('Book club');
    await expect.poll(() => alice.statusOf('Chapter 3 by Friday'), poll).toBe('read');
    // Message info is for one's own messages only.
    expect(await bob.messageActions('Chapter 3 by Friday')).not.toContain('action-info');
  });
});
