import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { PASSWORD, poll, usePeople } from './browser';

describe.skipIf(!(await hasChromium()))('people: contacts, blocking and devices', () => {
  // aliceLaptop: Alice again, signed in from a second browser.
  const { alice, bob, aliceLaptop } = usePeople(['alice', 'bob', 'aliceLaptop']);
  const run = Date.now().toString(36);
  const aliceName = `alice_${run}`;
  const bobName = `bob_${run}`;

  beforeAll(async () => {
    await alice.register(aliceName, 'Alice Liddell', PASSWORD);
    await bob.register(bobName, 'Bob Builder', PASSWORD);
    await aliceLaptop.signIn(aliceName, PASSWORD);
  });

  test('Alice adds Bob as a contact from their DM and gives him a nickname, seen in the list, the header and New chat', async () => {
    await alice.startDm(bobName);
    await alice.send('hello Bob');
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['hello Bob']);

    await alice.page.getByTestId('peer-add-contact').click();
    await alice.page.getByTestId('peer-is-contact').waitFor();
    await alice.page.getByTestId('main-menu').click();
    await alice.page.getByTestId('open-contacts').click();
    const row = alice.page.getByTestId('contact-row');
    await expect.poll(() => row.getByTestId('contact-name').textContent(), poll).toBe('Bob Builder');
    await row.getByTestId('contact-rename').click();
    await row.getByTestId('contact-nickname').fill('Bobby');
    await row.getByTestId('contact-nickname').press('Enter');
    await expect.poll(() => row.getByTestId('contact-name').textContent(), poll).toBe('Bobby');
    await alice.screenshot('contacts');
    // Blocking from the contact and unblocking there again: the DM's composer follows.
    await row.getByTestId('contact-block').click();
    await expect.poll(() => row.getByTestId('contact-block').textContent(), poll).toBe('Unblock');
    await expect.poll(() => alice.page.getByTestId('chat-refused').count(), poll).toBe(1);
    await row.getByTestId('contact-block').click();
    await expect.poll(() => row.getByTestId('contact-block').textContent(), poll).toBe('Block');
    await expect.poll(() => alice.page.getByTestId('chat-refused').count(), poll).toBe(0);
    await alice.page.getByTestId('panel-back').click();
    await expect.poll(() => alice.chatTitles(), poll).toEqual(['Bobby']);
    await expect.poll(() => alice.page.getByTestId('chat-header-title').textContent(), poll).toBe('Bobby');
    // The contacts doc is a replica: Alice's other browser has the nickname too.
    await expect.poll(() => aliceLaptop.chatTitles(), poll).toEqual(['Bobby']);
    // New chat offers contacts first.
    await alice.page.getByTestId('new-chat').click();
    await expect.poll(() => alice.page.getByTestId('new-chat-contact').locator('.user-result-name').allTextContents(), poll).toEqual(['Bobby']);
    await alice.page.getByTestId('panel-back').click();
  });

  test('Alice blocks Bob: his messages no longer reach her; after unblocking they talk again', async () => {
    await alice.page.getByTestId('peer-block').click();
    await expect.poll(() => alice.page.getByTestId('chat-refused').textContent(), poll).toBe('You blocked Bobby. Unblock them to send a message.');
    await alice.screenshot('blocked-dm');
    await bob.send('are you there?');
    // Refused by the server: give it time to arrive if it could, then check it did not.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await alice.messageTexts()).toEqual(['hello Bob']);
    await expect.poll(() => aliceLaptop.page.evaluate(() => document.body.textContent?.includes('are you there?')), poll).toBe(false);

    await alice.page.getByTestId('main-menu').click();
    await alice.page.getByTestId('open-settings').click();
    const blocked = alice.page.getByTestId('blocked-row');
    await expect.poll(() => blocked.allTextContents(), poll).toEqual([expect.stringContaining('Bob Builder')]);
    await blocked.scrollIntoViewIfNeeded();
    await alice.screenshot('settings-blocked');
    await blocked.getByTestId('unblock').click();
    await expect.poll(() => blocked.count(), poll).toBe(0);
    await alice.page.getByTestId('panel-back').click();
    await alice.openChat('Bobby');
    await alice.send('sorry, back now');
    await expect.poll(() => bob.messageTexts(), poll).toContain('sorry, back now');
  });

  test("Alice's devices list shows both browsers, and signing the other out ends its session at once", async () => {
    await alice.page.getByTestId('main-menu').click();
    await alice.page.getByTestId('open-settings').click();
    const rows = alice.page.getByTestId('device-row');
    await expect.poll(() => rows.count(), poll).toBe(2);
    await expect.poll(() => alice.page.locator('[data-testid="device-row"][data-current="true"]').textContent(), poll).toMatch(/This device/);
    await alice.screenshot('settings');
    await rows.getByTestId('device-sign-out').click();
    await expect.poll(() => rows.count(), poll).toBe(1);
    await expect.poll(() => aliceLaptop.connectionText(), poll).toBe('Signed out');
    // Alice here is still signed in and syncing.
    await alice.page.getByTestId('panel-back').click();
    await expect.poll(() => alice.connectionText(), poll).toBe('Online');
  });
});
