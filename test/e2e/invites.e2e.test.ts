import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

describe.skipIf(!(await hasChromium()))('group invite links', () => {
  const { alice, bob, usernames } = useSignedUpPeople(3);
  const carolName = usernames[2]!;
  let link = '';

  const openInfo = async (page: ChatPage) => {
    await page.page.getByTestId('chat-header-info').click();
    await page.page.getByTestId('group-info').waitFor();
  };

  test('an admin makes a link in the group info and copies it', async () => {
    // Alice's group starts with Carol: Bob is not in it.
    await alice.createGroup('Book club', [carolName]);
    await alice.send('Welcome, everyone');
    await openInfo(alice);
    await alice.page.getByTestId('invite-create').click();
    link = (await alice.page.getByTestId('invite-url').textContent()) ?? '';
    expect(link).toMatch(/\/join\/[a-z2-7]{32}$/);
    await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(alice.page.url()).origin });
    await alice.page.getByTestId('invite-copy').click();
    await expect.poll(() => alice.page.evaluate(() => navigator.clipboard.readText()), poll).toBe(link);
    await alice.screenshotGallery('invite-link-admin');
  });

  test("Bob opens the link: he sees the group's name and member count, joins, and reads the chat; Alice sees him join", async () => {
    await bob.page.goto(link);
    await bob.page.getByTestId('join-invite').waitFor();
    expect(await bob.page.getByTestId('join-name').textContent()).toBe('Book club');
    expect(await bob.page.getByTestId('join-count').textContent()).toBe('Group · 2 members');
    await bob.screenshotGallery('invite-join');
    await bob.page.getByTestId('join-button').click();
    await bob.page.getByTestId('chat-view').waitFor();
    await bob.messageRow('Welcome, everyone').waitFor({ timeout: poll.timeout });
    await bob.send('Thanks for the invite');
    await expect.poll(() => alice.page.getByTestId('system-line').allTextContents(), poll).toContain("Bob Builder joined using this group's invite link");
    await alice.messageRow('Thanks for the invite').waitFor({ timeout: poll.timeout });
  });

  test('a link that was reset says so, clearly', async () => {
    await alice.page.getByTestId('invite-reset').click();
    await expect.poll(async () => (await alice.page.getByTestId('invite-url').textContent()) !== link, poll).toBe(true);
    await bob.page.goto(link);
    await bob.page.getByTestId('join-error').waitFor();
    expect(await bob.page.getByTestId('join-error').locator('.join-error').textContent()).toBe('This invite link was reset or turned off by a group admin. Ask them for a new one.');
    await bob.screenshotGallery('invite-revoked');
  });

  test('a plain member is not offered a link', async () => {
    await bob.page.goto(new URL(link).origin);
    await bob.openChat('Book club');
    await openInfo(bob);
    expect(await bob.page.getByTestId('invite-link').count()).toBe(0);
  });
});
