import { describe, expect, test } from 'vitest';
import { SESSION_COOKIE } from '#schema/api/auth';
import { hasChromium } from '../helpers/services';
import { PASSWORD, poll, useSignedUpPeople } from './browser';

/** Long enough for a message that was going to arrive to have arrived: the far side sees one within a second or two. */
const QUIET_MS = 4_000;

describe.skipIf(!(await hasChromium()))('signing out', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const bobName = usernames[1]!;

  test('while offline ends the session on this device at once and on the server when the network returns; what waited is discarded, as the dialog says first', async () => {
    await alice.startDm(bobName);
    await alice.send('Before going offline');
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Before going offline']);
    const cookie = (await alice.context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toBeDefined();
    const origin = new URL(alice.page.url()).origin;

    await alice.goOffline();
    await alice.send('Never to be sent');
    await alice.send('Nor this one');
    await expect.poll(() => alice.page.getByTestId('message-pending').count(), poll).toBe(2);

    await alice.page.getByTestId('sign-out').click();
    const dialog = alice.page.getByTestId('confirm-dialog');
    await expect.poll(() => dialog.textContent(), poll).toContain('2 messages have not been sent and will be lost');
    await alice.screenshot('sign-out-offline-dialog');
    await dialog.getByTestId('confirm-go').click();
    await alice.page.waitForURL('**/login');

    // Back online, a reload must not sign her in again without a password…
    await alice.goOnline();
    await alice.page.reload();
    await alice.page.getByTestId('username-input').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(alice.page.url()).toMatch(/\/login$/);
    expect(await alice.page.getByTestId('me-name').count()).toBe(0);
    // …and the server has revoked the session the cookie named.
    await expect.poll(async () => (await fetch(`${origin}/api/auth/me`, { headers: { authorization: `Bearer ${cookie!.value}` } })).status, poll).toBe(401);
    expect((await alice.context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);

    // What waited at sign-out never reaches Bob.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await bob.messageTexts()).toEqual(['Before going offline']);
  });

  test('with nothing waiting asks nothing', async () => {
    await alice.signIn(usernames[0]!, PASSWORD);
    await alice.signOut();
    expect(await alice.page.getByTestId('confirm-dialog').count()).toBe(0);
  });
});
