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

  test('a reload before the wipe could finish still starts signed out; signing in again sends nothing that was discarded', async () => {
    await alice.signIn(usernames[0]!, PASSWORD);
    await alice.openChat('Bob Builder');
    // Another page of the site holds one of her databases open, so deleting it waits (as
    // on a slow disk, for as long as the page is open): the reload below cuts the wipe short.
    const origin = new URL(alice.page.url()).origin;
    const holder = await alice.context.newPage();
    await holder.goto(`${origin}/api/nothing-here`);
    const held = await holder.evaluate(
      async (prefix) => {
        const name = (await indexedDB.databases()).map((d) => d.name ?? '').find((n) => n.startsWith(prefix));
        if (!name) return null;
        await new Promise((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(((globalThis as unknown as { held: unknown }).held = request.result));
          request.onerror = () => reject(request.error);
        });
        return name;
      },
      `jeco:${await alice.page.evaluate(() => JSON.parse(localStorage.getItem('jeco:me') ?? '{}').id as string)}:`,
    );
    expect(held).not.toBeNull();
    await alice.goOffline();
    await alice.send('Discarded as well');
    await alice.page.getByTestId('sign-out').click();
    await alice.page.getByTestId('confirm-dialog').getByTestId('confirm-go').click();
    await alice.page.waitForURL('**/login');
    await alice.goOnline();
    await alice.page.reload();
    await alice.page.getByTestId('username-input').waitFor();
    expect(await alice.page.getByTestId('me-name').count()).toBe(0);
    await holder.close();

    await alice.signIn(usernames[0]!, PASSWORD);
    await alice.openChat('Bob Builder');
    await expect.poll(() => alice.messageTexts(), poll).toEqual(['Before going offline']);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(await bob.messageTexts()).toEqual(['Before going offline']);
    expect(await alice.page.getByTestId('message-pending').count()).toBe(0);
  });

  test('with nothing waiting asks nothing', async () => {
    await alice.signOut();
    expect(await alice.page.getByTestId('confirm-dialog').count()).toBe(0);
  });

  test('in a browser whose storage refuses writes, still ends the session: a reload starts signed out', async () => {
    await alice.signIn(usernames[0]!, PASSWORD);
    await alice.openChat('Bob Builder');
    // As a full or disabled storage does (until the reload, which restores the page's own).
    await alice.page.evaluate(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await alice.signOut();
    expect(await alice.page.evaluate(() => localStorage.getItem('jeco:me'))).toBeNull();
    await alice.page.reload();
    await alice.page.getByTestId('username-input').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(alice.page.url()).toMatch(/\/login$/);
    expect(await alice.page.getByTestId('me-name').count()).toBe(0);
  });
});
