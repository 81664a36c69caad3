import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { PASSWORD, poll, useSignedUpPeople } from './browser';

/** Profiles on screen are asked for again every 30 s (`useProfileRefresh.ts`): a change shows within that and a round trip. */
const PROFILE_SEEN_WITHIN = { timeout: 45_000, interval: 250 };

describe.skipIf(!(await hasChromium()))('my account: photo, export, e-mail and deletion', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);

  beforeAll(async () => {
    await alice.startDm(usernames[1]!);
    await alice.send('hello Bob, here is my news');
    await bob.openChat('Alice Liddell');
    await bob.page.getByTestId('messages').getByText('hello Bob, here is my news').waitFor();
  });

  test('Alice picks a photo, crops it to a square here, and Bob sees it in his chat list and header without reloading', async () => {
    await alice.openSettings();
    // A wide picture: red on the left half, blue on the right.
    const wide = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#d22' } })
      .composite([
        {
          input: await sharp({ create: { width: 600, height: 600, channels: 3, background: '#22d' } })
            .png()
            .toBuffer(),
          left: 600,
          top: 0,
        },
      ])
      .jpeg()
      .toBuffer();
    await alice.page.getByTestId('photo-input').setInputFiles({ name: 'beach.jpg', mimeType: 'image/jpeg', buffer: wide });
    await alice.page.getByTestId('photo-cropper').waitFor();
    await alice.screenshot('settings-photo-crop');
    await alice.page.getByTestId('photo-use').click();
    await alice.page.getByTestId('photo-cropper').waitFor({ state: 'detached' });
    const own = alice.page.getByTestId('settings-profile').getByTestId('avatar-photo');
    await own.waitFor();
    await expect.poll(() => own.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), poll).toBe(512);
    await alice.screenshot('settings-profile-photo');

    // Bob's app asks for the profiles on his screen again every half minute.
    const inList = bob.page.getByTestId('chat-list').getByTestId('avatar-photo');
    await expect.poll(() => inList.count(), PROFILE_SEEN_WITHIN).toBe(1);
    await expect.poll(() => bob.page.getByTestId('chat-header').getByTestId('avatar-photo').count(), poll).toBe(1);
    await expect.poll(() => inList.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), poll).toBe(512);
    await bob.screenshot('chat-peer-photo');
  });

  test('Alice exports her data: the downloaded file holds her messages', async () => {
    const download = alice.page.waitForEvent('download');
    await alice.page.getByTestId('export-data').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^jeco-${usernames[0]}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const data = JSON.parse(await readFile((await file.path())!, 'utf8'));
    expect(data.profile.displayName).toBe('Alice Liddell');
    const texts = (data.rooms as { messages: { text?: string }[] }[]).flatMap((room) => room.messages.map((m) => m.text));
    expect(texts).toContain('hello Bob, here is my news');
    await expect.poll(() => alice.page.getByTestId('export-note').textContent(), poll).toBe('Downloaded.');
  });

  test("Alice blocks Bob from a group's member list, sees him in her Blocked list, and unblocks him there", async () => {
    await alice.page.getByTestId('panel-back').click();
    await alice.createGroup('Climbers', [usernames[1]!]);
    await alice.page.getByTestId('chat-header-title').click();
    const drawer = alice.page.getByTestId('group-info');
    await drawer.waitFor();
    const row = drawer.getByTestId('member-row').filter({ has: alice.page.getByTestId('member-name').getByText('Bob Builder', { exact: true }) });
    await row.hover();
    await row.getByTestId('member-menu-button').click();
    await expect.poll(() => row.getByTestId('member-action-block').textContent(), poll).toBe('Block Bob Builder');
    await alice.screenshot('member-menu-block');
    await row.getByTestId('member-action-block').click();
    await row.getByTestId('member-menu-button').click();
    await expect.poll(() => row.getByTestId('member-action-block').textContent(), poll).toBe('Unblock Bob Builder');
    await alice.page.keyboard.press('Escape');
    await drawer.getByTestId('group-info-close').click();
    await alice.openSettings();
    const blocked = alice.page.getByTestId('blocked-row');
    await expect.poll(() => blocked.allTextContents(), poll).toEqual([expect.stringContaining('Bob Builder')]);
    await blocked.getByTestId('unblock').click();
    await expect.poll(() => blocked.count(), poll).toBe(0);
  });

  test('the account settings on a desktop and on a phone', async () => {
    await alice.page.getByTestId('email-new').fill('alice@example.test');
    await alice.page.getByTestId('email-password').fill(PASSWORD);
    await alice.page.getByTestId('email-save').click();
    await expect.poll(() => alice.page.getByTestId('email-note').textContent(), poll).toContain('Unless another account uses alice@example.test');
    await alice.page.getByTestId('delete-account-open').click();
    await alice.page.getByTestId('settings-email').scrollIntoViewIfNeeded();
    await alice.screenshot('settings-account');
    // A phone shows one pane: back from the chat to the sidebar, where the settings are.
    await alice.page.setViewportSize({ width: 390, height: 844 });
    if (await alice.page.getByTestId('chat-view').isVisible()) await alice.page.getByTestId('back').click();
    await alice.page.getByTestId('settings-panel').waitFor();
    await alice.page.getByTestId('settings-delete-account').scrollIntoViewIfNeeded();
    await alice.screenshot('settings-account-phone');
    await alice.page.getByTestId('settings-profile').scrollIntoViewIfNeeded();
    await alice.screenshot('settings-profile-phone');
    await alice.page.setViewportSize({ width: 1100, height: 760 });
  });

  test('Alice deletes her account with her password: she is signed out, cannot sign in, and Bob sees "Deleted account"', async () => {
    await alice.page.getByTestId('delete-account-password').fill('not my password');
    await alice.page.getByTestId('delete-account-confirm').click();
    await expect.poll(() => alice.page.getByTestId('delete-account-error').textContent(), poll).toBe('The password is wrong.');
    await alice.page.getByTestId('delete-account-password').fill(PASSWORD);
    await alice.page.getByTestId('delete-account-confirm').click();
    await alice.page.waitForURL('**/login');
    await alice.page.getByTestId('username-input').fill(usernames[0]!);
    await alice.page.getByTestId('password-input').fill(PASSWORD);
    await alice.page.getByTestId('submit').click();
    await expect.poll(() => alice.page.getByText('Wrong username or password.').count(), poll).toBeGreaterThan(0);

    // Her message stays in Bob's chat; her name and photo go at his next profile refresh.
    await expect.poll(() => bob.page.getByTestId('chat-header-title').textContent(), PROFILE_SEEN_WITHIN).toBe('Deleted account');
    expect(await bob.messageTexts()).toEqual(['hello Bob, here is my news']);
    expect(await bob.page.getByTestId('chat-list').getByTestId('avatar-photo').count()).toBe(0);
  });
});
