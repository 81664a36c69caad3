import { beforeAll, describe, expect, test } from 'vitest';
import { MAX_MESSAGE_TEXT } from '#schema/docs/message';
import { hasChromium } from '../helpers/services';
import { PASSWORD, poll, usePeople } from './browser';

/** A name made to trip initials taken from the first characters: "<S" or "<W" before. */
const ODD_NAME = '<Sam> W<';

describe.skipIf(!(await hasChromium()))('the everyday details', () => {
  const { alice, bob, carol, sam } = usePeople(['alice', 'bob', 'carol', 'sam']);
  const run = Date.now().toString(36);
  const [aliceName, bobName, carolName, samName] = ['alice', 'bob', 'carol', 'sam'].map((n) => `${n}_${run}`) as [string, string, string, string];

  beforeAll(async () => {
    await alice.register(aliceName, 'Alice Liddell', PASSWORD);
    await bob.register(bobName, 'Bob Builder', PASSWORD);
    await carol.register(carolName, 'Carol Danvers', PASSWORD);
    await sam.register(samName, ODD_NAME, PASSWORD);
    await alice.startDm(bobName);
    await alice.send('Hello Bob');
    await bob.openChat('Alice Liddell');
  });

  test('a reply whose original I deleted for me still shows the quote', async () => {
    await bob.send('Lunch at noon?');
    await alice.messageRow('Lunch at noon?').waitFor({ timeout: poll.timeout });
    await alice.replyTo('Lunch at noon?', 'Yes please');
    await alice.deleteForMe('Lunch at noon?');
    await alice.messageRow('Lunch at noon?').waitFor({ state: 'detached' });
    await expect.poll(() => alice.messageRow('Yes please').getByTestId('quote-text').textContent(), poll).toBe('Lunch at noon?');
  });

  test('a paste over the text limit is announced and not sent until shortened', async () => {
    const before = (await alice.messageTexts()).length;
    const composer = alice.page.getByTestId('composer');
    await composer.fill('x'.repeat(20_000));
    const note = alice.page.getByTestId('composer-too-long');
    await expect.poll(() => note.textContent(), poll).toContain('20,000 characters');
    expect(await note.textContent()).toContain(MAX_MESSAGE_TEXT.toLocaleString('en'));
    expect(await alice.page.getByTestId('send').isDisabled()).toBe(true);
    await composer.press('Enter');
    expect((await alice.messageTexts()).length).toBe(before);
    expect((await composer.inputValue()).length).toBe(20_000);
    await alice.screenshot('composer-too-long');
    await composer.fill('Shorter now');
    expect(await note.count()).toBe(0);
    await composer.press('Enter');
    await alice.messageRow('Shorter now').waitFor();
  });

  test('Hebrew and Arabic messages run right to left', async () => {
    await alice.send('שלום עולם');
    await alice.send('مرحبا بالعالم');
    await alice.send('Plain English');
    const directions = await alice.page.getByTestId('message-text').evaluateAll((els) => els.slice(-3).map((el) => (el.matches(':dir(rtl)') ? 'rtl' : 'ltr')));
    expect(directions).toEqual(['rtl', 'rtl', 'ltr']);
  });

  test('the search box lists matching people and starts a DM with one', async () => {
    await alice.page.getByTestId('chat-search-input').fill(carolName.slice(0, -2));
    const person = alice.page.locator(`[data-testid="search-person"][data-username="${carolName}"]`);
    await person.waitFor({ timeout: poll.timeout });
    // Bob is a chat already: listed once, under the chats, when his name matches.
    await alice.page.getByTestId('chat-search-input').fill('Bob');
    await alice.page.getByTestId('search-chats').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await alice.page.locator(`[data-testid="search-person"][data-username="${bobName}"]`).count()).toBe(0);
    await alice.page.getByTestId('chat-search-input').fill(carolName.slice(0, -2));
    await person.click();
    await expect.poll(() => alice.page.getByTestId('chat-header-title').textContent(), poll).toBe('Carol Danvers');
    expect(await alice.page.getByTestId('chat-search-input').inputValue()).toBe('');
  });

  test('the new-group picker starts over after each pick instead of saying nobody was found', async () => {
    await alice.page.getByTestId('new-group').click();
    await alice.page.getByTestId('user-search').fill('car');
    await alice.page.locator(`[data-testid="user-result"][data-username="${carolName}"]`).click();
    await alice.page.getByTestId('member-chip').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await alice.page.getByText(/Nobody found/).count()).toBe(0);
    expect(await alice.page.getByTestId('user-search').inputValue()).toBe('');
    await expect.poll(() => alice.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), poll).toBe('user-search');
    await alice.page.getByTestId('panel-back').click();
  });

  test('avatars take letters only', async () => {
    await alice.page.getByTestId('new-chat').click();
    await alice.page.getByTestId('user-search').fill(samName.slice(0, -1));
    const result = alice.page.locator(`[data-testid="user-result"][data-username="${samName}"]`);
    await expect.poll(() => result.getByTestId('avatar').textContent(), poll).toBe('SW');
    await alice.page.getByTestId('panel-back').click();
  });

  test('a 10,000-character message is cut short with "Read more"', async () => {
    const long = `Start. ${'All work and no play makes a long message. '.repeat(240)}`.slice(0, 10_000);
    await bob.page.getByTestId('composer').fill(long);
    await bob.page.getByTestId('composer').press('Enter');
    await alice.openChat('Bob Builder');
    const collapsed = alice.page
      .getByTestId('message')
      .filter({ has: alice.page.getByTestId('read-more') })
      .last();
    await collapsed.waitFor({ timeout: poll.timeout });
    const row = alice.page.locator(`[data-message-id="${await collapsed.getAttribute('data-message-id')}"]`);
    const height = (await row.boundingBox())!.height;
    expect(height).toBeLessThan(400);
    await alice.screenshot('read-more');
    await row.getByTestId('read-more').click();
    await expect.poll(async () => (await row.getByTestId('message-text').textContent())!.length, poll).toBe(10_000);
  });

  test('the notifications offer can be dismissed, and stays dismissed', async () => {
    const offer = carol.page.getByTestId('enable-notifications');
    await offer.waitFor();
    await carol.page.getByTestId('dismiss-notifications').click();
    await offer.waitFor({ state: 'detached' });
    await carol.page.reload();
    await carol.page.getByTestId('me-name').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await offer.count()).toBe(0);
  });

  test('a DM header offline says "waiting for network", not a stale "last seen"', async () => {
    await alice.openChat('Bob Builder');
    await expect.poll(() => alice.headerSubtitle(), poll).toBe('online');
    await alice.goOffline();
    await expect.poll(() => alice.headerSubtitle(), poll).toBe('waiting for network');
    await alice.goOnline();
    await expect.poll(() => alice.headerSubtitle(), { timeout: 30_000, interval: 200 }).toBe('online');
  });
});
