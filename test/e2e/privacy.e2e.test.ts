import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Long enough for a receipt report, its flush and the aggregate's broadcast, had they moved anything. */
const SETTLE_MS = 2_500;

describe.skipIf(!(await hasChromium()))('privacy settings', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const [aliceName, bobName] = usernames as [string, string];

  /** Closes Jeco (the page leaves, its sockets close), runs `meanwhile`, and opens it again. */
  async function leaveAndComeBack(page: ChatPage, meanwhile: () => Promise<void>): Promise<void> {
    const url = page.page.url();
    await page.page.goto('about:blank');
    await meanwhile();
    await page.page.goto(url);
    await page.page.getByTestId('main-menu').waitFor();
  }

  async function openPrivacy(page: ChatPage): Promise<void> {
    await page.page.getByTestId('main-menu').click();
    await page.page.getByTestId('open-settings').click();
    await page.page.getByTestId('settings-privacy').getByTestId('privacy-last-seen').waitFor();
  }

  test("Alice sets last seen to nobody: Bob's DM header no longer shows her online or her last seen", async () => {
    await alice.startDm(bobName);
    await alice.send('hi Bob');
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.headerSubtitle(), poll).toBe('online');
    // While everyone may see it, Bob sees when she was last here: she closes Jeco, and opens it again.
    await leaveAndComeBack(alice, async () => {
      await expect.poll(() => bob.headerSubtitle(), poll).toMatch(/^last seen /);
    });
    await expect.poll(() => bob.headerSubtitle(), poll).toBe('online');

    await openPrivacy(alice);
    await alice.page.getByTestId('privacy-last-seen').selectOption('nobody');
    await expect.poll(() => alice.page.getByTestId('privacy-note').textContent(), poll).toBe('Saved.');
    await alice.page.getByTestId('settings-privacy').scrollIntoViewIfNeeded();
    await alice.screenshot('settings-privacy');
    // Neither online nor last seen: just who she is.
    await expect.poll(() => bob.headerSubtitle(), poll).toBe(`@${aliceName}`);
    await leaveAndComeBack(alice, async () => {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      expect(await bob.headerSubtitle()).toBe(`@${aliceName}`);
    });
    // The setting is the server's: after coming back it shows as saved.
    await openPrivacy(alice);
    await expect.poll(() => alice.page.getByTestId('privacy-last-seen').inputValue(), poll).toBe('nobody');
  });

  test("Alice turns read receipts off: Bob's ticks stay grey double when she reads, and hers when he reads", async () => {
    await alice.page.getByTestId('panel-back').click();
    await alice.openChat('Bob Builder');
    // Before: Bob has the chat open, so Alice's first message is read (blue).
    await expect.poll(() => alice.statusOf('hi Bob'), poll).toBe('read');
    await openPrivacy(alice);
    await alice.page.getByTestId('privacy-read-receipts').uncheck();
    await expect.poll(() => alice.page.getByTestId('privacy-note').textContent(), poll).toBe('Saved.');
    await alice.page.getByTestId('panel-back').click();
    await alice.openChat('Bob Builder');

    await bob.send('did you get my note?');
    await expect.poll(() => alice.messageTexts(), poll).toContain('did you get my note?');
    await expect.poll(() => bob.statusOf('did you get my note?'), poll).toBe('delivered');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(await bob.statusOf('did you get my note?')).toBe('delivered');

    await alice.send('yes, thanks');
    await expect.poll(() => bob.messageTexts(), poll).toContain('yes, thanks');
    await expect.poll(() => alice.statusOf('yes, thanks'), poll).toBe('delivered');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(await alice.statusOf('yes, thanks')).toBe('delivered');
    await bob.screenshot('privacy-read-receipts-off');
  });

  test('Alice lets only her contacts add her to groups: Bob finds her in New group, greyed, with why, and cannot pick her', async () => {
    await openPrivacy(alice);
    await alice.page.getByTestId('privacy-group-add').selectOption('contacts');
    await expect.poll(() => alice.page.getByTestId('privacy-note').textContent(), poll).toBe('Saved.');
    await alice.page.getByTestId('panel-back').click();

    await bob.page.getByTestId('new-group').click();
    await bob.page.getByTestId('group-name').fill('Climbing club');
    await bob.page.getByTestId('user-search').fill(aliceName.slice(0, -1));
    const result = bob.page.locator(`[data-testid="user-result"][data-username="${aliceName}"]`);
    await expect.poll(() => result.getByTestId('user-result-refusal').textContent(), poll).toBe('Only their contacts can add them to groups');
    expect(await result.isDisabled()).toBe(true);
    await bob.screenshot('privacy-group-add-refused');
    await result.click({ force: true });
    expect(await bob.page.getByTestId('member-chip').count()).toBe(0);
    await bob.page.getByTestId('panel-back').click();
  });
});
