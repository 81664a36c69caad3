import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

const SHORTEST = 'k';
const LONGEST = `${'A long message that fills the bubble to its widest and runs over several lines. '.repeat(12).trim()}`;

/**
 * Whether every part of an open menu can be seen and clicked: inside the window and
 * the chat pane, and the topmost element at the middle of each choice is that choice.
 */
async function menuProblems(page: ChatPage): Promise<string[]> {
  return page.page.getByTestId('message-menu').evaluate((menu) => {
    const problems: string[] = [];
    const box = menu.getBoundingClientRect();
    const pane = document.querySelector('.chat-pane')!.getBoundingClientRect();
    if (box.left < 0 || box.top < 0 || box.right > window.innerWidth || box.bottom > window.innerHeight)
      problems.push(`menu ${JSON.stringify(box)} leaves the ${window.innerWidth}×${window.innerHeight} window`);
    if (box.left < pane.left || box.right > pane.right) problems.push(`menu ${box.left}..${box.right} leaves the chat pane ${pane.left}..${pane.right}`);
    for (const choice of menu.querySelectorAll<HTMLElement>('button')) {
      const r = choice.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !choice.contains(hit)) problems.push(`"${choice.textContent}" is covered by ${hit?.className ?? 'nothing'}`);
    }
    return problems;
  });
}

describe.skipIf(!(await hasChromium()))('menus stay inside the window', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);

  beforeAll(async () => {
    await bob.startDm(usernames[0]!);
    await bob.send(LONGEST);
    await bob.send(SHORTEST);
    await alice.openChat('Bob Builder');
    await alice.messageRow(SHORTEST).waitFor({ timeout: poll.timeout });
  });

  for (const size of [
    { name: 'desktop', width: 1100, height: 760 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    test(`the message menu on the shortest and the longest incoming bubble, at ${size.name} size`, async () => {
      await alice.page.setViewportSize({ width: size.width, height: size.height });
      if (size.name === 'phone' && !(await alice.page.getByTestId('chat-view').isVisible())) await alice.openChat('Bob Builder');
      for (const text of [SHORTEST, LONGEST]) {
        await alice.openMessageMenu(text);
        expect(await menuProblems(alice)).toEqual([]);
        await alice.screenshot(`menu-${size.name}-${text === SHORTEST ? 'short' : 'long'}`);
        await alice.page.keyboard.press('Escape');
        await alice.page.getByTestId('message-menu').waitFor({ state: 'detached' });
      }
      // A reaction in the menu can be clicked.
      await alice.react(SHORTEST, '😂');
      await expect.poll(() => alice.reactionsOf(SHORTEST), poll).toEqual(['😂 1']);
      await alice.react(SHORTEST, '😂');
      await expect.poll(() => alice.reactionsOf(SHORTEST), poll).toEqual([]);
    });
  }
  test('on a phone the DM header keeps the name whole: contact and block fold behind ⋮, open inside the window, and Escape folds them', async () => {
    await alice.page.setViewportSize({ width: 390, height: 844 });
    if (!(await alice.page.getByTestId('chat-view').isVisible())) await alice.openChat('Bob Builder');
    const title = alice.page.getByTestId('chat-header-title');
    expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    expect(await alice.page.getByTestId('peer-block').isVisible()).toBe(false);
    await alice.page.getByTestId('peer-more').click();
    const block = alice.page.getByTestId('peer-block');
    await block.waitFor();
    const box = (await block.boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844).toBe(true);
    await alice.screenshot('peer-actions-phone');
    await alice.page.keyboard.press('Escape');
    await block.waitFor({ state: 'hidden' });
    await alice.page.setViewportSize({ width: 1100, height: 760 });
    await expect.poll(() => alice.page.getByTestId('peer-block').isVisible(), poll).toBe(true);
  });
});
