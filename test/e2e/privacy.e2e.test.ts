import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

/** Long enough for a receipt report, its flush and the aggregate's broadcast, had they moved anything. */
const SETTLE_MS = 2_500;

describe.skipIf(!(await hasChromium()))('privacy settings', () => {
  const cast = useSignedUpPeople(2);
  let alice: ChatPage;
  let bob: ChatPage;
  const [aliceName, bobName] = cast.usernames as [string, string];

  beforeAll(async () => {
    [alice, bob] = cast.pages as [ChatPage, ChatPage];
  });

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
    // While everyone may see it, Bob sees when she was last here.
    await alice.goOffline();
    await expect.poll(() => bob.headerSubtitle(), poll).toMatch(/^last seen /);
    await alice.goOnline();
    await expect.poll(() => bob.headerSubtitle(), poll).toBe('online');

    await openPrivacy(alice);
    await alice.page.getByTestId('privacy-last-seen').selectOption('nobody');
    await expect.poll(() => alice.page.getByTestId('privacy-note').textContent(), poll).toBe('Saved.');
    await alice.page.getByTestId('settings-privacy').scrollIntoViewIfNeeded();
    await alice.screenshot('settings-privacy');
    // Neither online nor last seen: just who she is.
    await expect.poll(() => bob.headerSubtitle(), poll).toBe(`@${aliceName}`);
    await alice.goOffline();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(await bob.headerSubtitle()).toBe(`@${aliceName}`);
    await alice.goOnline();
    // The setting is the server's: a reload shows it as saved.
    await alice.page.reload();
    await openPrivacy(alice);
    await expect.poll(() => alice.page.getByTestId('privacy-last-seen').inputValue(), poll).toBe('nobody');
  });

  test("Alice turns read receipts off: Bob's ticks stay grey double when she reads, and hers when he reads", async () => {
    // Before: Bob has the chat open, so Alice's first message is read (blue).
    await expect.poll(() => alice.statusOf('hi Bob'), poll).toBe('read');
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
});
