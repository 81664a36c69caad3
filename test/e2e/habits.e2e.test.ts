import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import { ChatPage } from './chatPage';

/** Searches the open emoji picker and picks the first emoji found. */
async function pickEmoji(page: ChatPage, search: string): Promise<void> {
  const picker = page.page.getByTestId('emoji-picker');
  await picker.getByRole('combobox').fill(search, { timeout: poll.timeout });
  await picker.getByRole('option', { name: new RegExp(search, 'i') }).first().click({ timeout: poll.timeout });
}

describe.skipIf(!(await hasChromium()))('chat-app habits', () => {
  const cast = useSignedUpPeople(2);
  let alice: ChatPage;
  let bob: ChatPage;

  beforeAll(async () => {
    [alice, bob] = cast.pages as [ChatPage, ChatPage];
    await alice.startDm(cast.usernames[1]!);
    await alice.send('Hello Bob');
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Hello Bob').waitFor({ timeout: poll.timeout });
  });

  test('the composer has an emoji picker with search; the emoji goes where the caret is', async () => {
    const composer = alice.page.getByTestId('composer');
    await composer.fill('Dinner is ');
    await alice.page.getByTestId('composer-emoji').click();
    await pickEmoji(alice, 'pizza');
    await alice.screenshot('emoji-picker');
    expect(await composer.inputValue()).toBe('Dinner is 🍕');
    await alice.page.keyboard.press('Escape');
    await alice.page.getByTestId('emoji-picker').waitFor({ state: 'detached' });
    await composer.press('Enter');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hello Bob', 'Dinner is 🍕']);
  });

  test('a reaction can be any emoji, and the other person sees it', async () => {
    const menu = await bob.openMessageMenu('Dinner is 🍕');
    await menu.getByTestId('reaction-more').click();
    await pickEmoji(bob, 'avocado');
    await expect.poll(() => bob.reactionsOf('Dinner is 🍕'), poll).toEqual(['🥑 1']);
    await expect.poll(() => alice.reactionsOf('Dinner is 🍕'), poll).toEqual(['🥑 1']);
  });
});
