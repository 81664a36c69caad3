import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

describe.skipIf(!(await hasChromium()))('"is typing…" in the chat header', () => {
  const { alice, bob, carol, usernames } = useSignedUpPeople(3);
  const bobName = usernames[1]!;
  const carolName = usernames[2]!;

  test('in a DM, the other person sees "typing…" (no name, as in a DM it can only be them) while one types, gone on send and after a pause', async () => {
    await alice.startDm(bobName);
    await alice.send('Hi');
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hi']);

    await alice.page.getByTestId('composer').pressSequentially('How are');
    await expect.poll(() => bob.typingText(), poll).toBe('typing…');
    // Only the others are named: one's own typing is not shown to oneself.
    expect(await alice.typingText()).toBeNull();
    await alice.page.getByTestId('composer').press('Enter');
    await expect.poll(() => bob.typingText(), { ...poll, timeout: 1_500 }).toBeNull();
    await expect.poll(() => bob.headerSubtitle(), poll).toBe('online');

    await alice.page.getByTestId('composer').pressSequentially('one more');
    await expect.poll(() => bob.typingText(), poll).toBe('typing…');
    const stoppedAt = Date.now();
    await expect.poll(() => bob.typingText(), { ...poll, timeout: 8_000 }).toBeNull();
    // About three seconds after the last key.
    expect(Date.now() - stoppedAt).toBeGreaterThan(1_500);
  });

  test('in a group, two people typing are both named', async () => {
    await alice.page.getByTestId('composer').fill('');
    await alice.createGroup('Trip', [bobName, carolName]);
    await alice.send('Where to?');
    await bob.openChat('Trip');
    await carol.openChat('Trip');
    await expect.poll(() => carol.messageTexts(), poll).toEqual(['Where to?']);
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Where to?']);

    await alice.page.getByTestId('composer').pressSequentially('The sea');
    await carol.page.getByTestId('composer').pressSequentially('Mountains');
    await expect.poll(() => bob.typingText(), poll).toBe('Alice Liddell and Carol Danvers are typing…');
    await bob.screenshot('typing-group-bob');
  });
});
