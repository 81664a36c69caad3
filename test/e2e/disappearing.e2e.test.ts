import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

const HOUR_MS = 60 * 60_000;

describe.skipIf(!(await hasChromium()))('disappearing messages', () => {
  // The server's expiry pass reads this clock: a test moves it a day on instead of waiting one.
  let skipped = 0;
  const { alice, bob, usernames } = useSignedUpPeople(2, { clock: () => Date.now() + skipped, env: { JECO_DISAPPEARING_SWEEP_MS: '200' } });
  const bobName = usernames[1]!;

  const systemLines = (page: ChatPage) => page.page.getByTestId('system-line').allTextContents();
  const openTimer = async (page: ChatPage) => {
    await page.page.getByTestId('disappearing-button').click();
    await page.page.getByTestId('disappearing-dialog').waitFor();
  };

  test('either person of a DM turns it on from the chat header; a line says who, for both', async () => {
    await alice.startDm(bobName);
    await alice.send('Before the timer');
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Before the timer').waitFor({ timeout: poll.timeout });

    await openTimer(alice);
    await alice.screenshotGallery('disappearing-dialog');
    await alice.page.locator('[data-testid="disappearing-choice"][data-after="86400000"]').click();
    await alice.page.getByTestId('disappearing-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => systemLines(bob), poll).toEqual(["Alice Liddell turned on disappearing messages: new messages disappear 24 hours after they're sent"]);
    await expect.poll(() => systemLines(alice), poll).toEqual(["You turned on disappearing messages: new messages disappear 24 hours after they're sent"]);
    await expect.poll(() => bob.page.getByTestId('disappearing-badge').textContent(), poll).toBe('24h');
  });

  test('a message sent after it goes from both screens once its time is up; what was sent before stays', async () => {
    await bob.send('This note self-destructs');
    await alice.messageRow('This note self-destructs').waitFor({ timeout: poll.timeout });
    await alice.screenshotGallery('disappearing-chat');

    skipped = 25 * HOUR_MS;
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Before the timer']);
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Before the timer']);
    // Nothing of it in the chat list either.
    expect(await alice.chatListItem('Bob Builder').textContent()).not.toContain('self-destructs');
    // Still gone after a reload: the device's stored copy lost it too.
    await bob.page.reload();
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Before the timer').waitFor({ timeout: poll.timeout });
    expect(await bob.messageTexts()).toEqual(['Before the timer']);
  });

  test('turning it off says so; in a group only admins may change it', async () => {
    skipped = 0;
    await openTimer(bob);
    await bob.page.locator('[data-testid="disappearing-choice"][data-after="0"]').click();
    await expect.poll(() => systemLines(alice), poll).toContain('Bob Builder turned off disappearing messages');

    await alice.createGroup('Trip', [bobName]);
    await bob.openChat('Trip');
    await openTimer(bob);
    await bob.page.getByTestId('disappearing-admins-only').waitFor();
    expect(await bob.page.locator('[data-testid="disappearing-choice"] input').first().isDisabled()).toBe(true);
    await bob.screenshot('disappearing-dialog-member');
    await bob.page.keyboard.press('Escape');
    await bob.page.getByTestId('disappearing-dialog').waitFor({ state: 'detached' });

    await openTimer(alice);
    await alice.page.locator('[data-testid="disappearing-choice"][data-after="604800000"]').click();
    await expect.poll(() => systemLines(bob), poll).toContain("Alice Liddell turned on disappearing messages: new messages disappear 7 days after they're sent");
  });
});
