import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';
import type { ChatPage } from './chatPage';

describe.skipIf(!(await hasChromium()))('creating a group online', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const bobName = usernames[1]!;

  /** Records every text the status line under one's name shows from now on. */
  const watchStatus = (page: ChatPage) =>
    page.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __status: string[] }).__status = seen;
      // The line is re-rendered now and then (empty for a moment): only the words it shows count.
      const read = () => document.querySelector('[data-testid="connection-status"] .connection-text')?.textContent ?? '';
      seen.push(read());
      new MutationObserver(() => {
        const text = read();
        if (text !== '' && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const statusSeen = (page: ChatPage) => page.page.evaluate(() => (window as unknown as { __status: string[] }).__status);

  test('never flashes "Reconnecting…" while the server stores the new group; the first message arrives', async () => {
    // Both online and settled first.
    await expect.poll(() => alice.connectionText(), poll).toBe('Online');
    await watchStatus(alice);
    await alice.createGroup('Picnic', [bobName]);
    await alice.send('Who brings the blanket?');
    await bob.openChat('Picnic');
    await bob.messageRow('Who brings the blanket?').waitFor({ timeout: poll.timeout });
    await expect.poll(() => alice.statusOf('Who brings the blanket?'), poll).not.toBe('pending');
    expect(await statusSeen(alice)).toEqual(['Online']);
  });
});
