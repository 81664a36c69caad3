import { createRequire } from 'node:module';
import { beforeAll, describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2 A and AA findings on the page as it is, one line per element: `rule: target`. */
async function accessibilityProblems(page: ChatPage): Promise<string[]> {
  if (!(await page.page.evaluate(() => 'axe' in window))) await page.page.addScriptTag({ path: AXE_PATH });
  return page.page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`.trim()));
  });
}

const theme = (page: ChatPage) => page.page.evaluate(() => document.documentElement.dataset.theme);

describe.skipIf(!(await hasChromium()))('light and dark', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);

  beforeAll(async () => {
    await alice.startDm(usernames[1]!);
    await alice.send('Hello Bob, see https://example.org');
    await bob.openChat('Alice Liddell');
    await bob.messageRow('Hello Bob, see https://example.org').waitFor({ timeout: poll.timeout });
    await bob.send('Hi Alice');
    await bob.react('Hello Bob, see https://example.org', '👍');
    await alice.messageRow('Hi Alice').waitFor({ timeout: poll.timeout });
  });

  test('the theme follows the system until one is chosen in the menu', async () => {
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => theme(alice), poll).toBe('dark');
    await alice.page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => theme(alice), poll).toBe('light');

    await alice.page.getByTestId('main-menu').click();
    await alice.page.getByTestId('theme-dark').click();
    await expect.poll(() => theme(alice), poll).toBe('dark');
    await alice.page.reload();
    await alice.page.getByTestId('me-name').waitFor();
    expect(await theme(alice)).toBe('dark');
    await alice.page.emulateMedia({ colorScheme: 'light' });
    expect(await theme(alice)).toBe('dark');
    await alice.openChat('Bob Builder');
    await alice.screenshot('dark-chat');

    await alice.page.getByTestId('main-menu').click();
    await alice.page.getByTestId('theme-system').click();
    await expect.poll(() => theme(alice), poll).toBe('light');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`no WCAG AA problems (contrast included) in the chat, ${scheme}`, async () => {
      await alice.page.emulateMedia({ colorScheme: scheme });
      await expect.poll(() => theme(alice), poll).toBe(scheme);
      await alice.openChat('Bob Builder');
      await alice.messageRow('Hi Alice').waitFor();
      expect(await accessibilityProblems(alice)).toEqual([]);
      await alice.openMessageMenu('Hi Alice');
      expect(await accessibilityProblems(alice)).toEqual([]);
      await alice.page.keyboard.press('Escape');
      await alice.page.keyboard.press('Control+/');
      await alice.page.getByTestId('shortcuts-dialog').waitFor();
      expect(await accessibilityProblems(alice)).toEqual([]);
      await alice.page.keyboard.press('Escape');
    });
  }

  test('keyboard focus is visible: a focus ring on the focused control', async () => {
    await alice.page.getByTestId('chat-search-input').focus();
    for (let i = 0; i < 3; i++) {
      await alice.page.keyboard.press('Tab');
      const ring = await alice.page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return { what: el.getAttribute('data-testid') ?? el.className, outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2, shadow: style.boxShadow !== 'none' };
      });
      expect(ring.outline || ring.shadow, `focus ring on ${ring.what}`).toBe(true);
    }
  });
});
