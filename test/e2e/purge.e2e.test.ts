import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { hasChromium } from '../helpers/services';
import { poll, useSignedUpPeople } from './browser';

/** Which of `needles` (as UTF-8) any row of this user's IndexedDB replicas holds, read in the page itself. */
function storedTraces(page: Page, needles: string[]): Promise<string[]> {
  return page.evaluate(async (needles) => {
    const encoded = needles.map((n) => new TextEncoder().encode(n));
    const contains = (hay: Uint8Array, needle: Uint8Array) => {
      outer: for (let i = 0; i + needle.length <= hay.length; i++) {
        for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
        return true;
      }
      return false;
    };
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const found = new Set<string>();
    for (const { name } of await indexedDB.databases()) {
      if (!name?.startsWith('jeco:')) continue;
      const db = await request(indexedDB.open(name));
      if (db.objectStoreNames.contains('updates')) {
        const rows = await request(db.transaction('updates').objectStore('updates').getAll());
        for (const row of rows) encoded.forEach((needle, i) => row instanceof Uint8Array && contains(row, needle) && found.add(needles[i]!));
      }
      db.close();
    }
    return [...found].sort();
  }, needles);
}

describe.skipIf(!(await hasChromium()))('deleted means deleted, in the browser', () => {
  const { alice, bob, usernames } = useSignedUpPeople(2);
  const run = Date.now().toString(36);
  const secret = `The alarm code is 4417-${run}`;
  const original = `Lunch at noon-${run}`;

  test("a deleted message and an edit's old text leave both people's IndexedDB; the chat shows the tombstone, the edit and the quote", async () => {
    await alice.startDm(usernames[1]!);
    for (const text of ['Hi Bob', secret, original, 'See you']) await alice.send(text);
    await bob.openChat('Alice Liddell');
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hi Bob', secret, original, 'See you']);
    await bob.replyTo(secret, 'Which door?');
    await expect.poll(() => storedTraces(bob.page, [secret, original]), poll).toEqual([original, secret].sort());

    await alice.deleteForEveryone(secret);
    await alice.edit(original, 'Lunch at one');
    await expect.poll(() => bob.tombstoneCount(), poll).toBe(1);
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hi Bob', 'Lunch at one', 'See you', 'Which door?']);
    const reply = bob.messageRow('Which door?');
    await expect.poll(() => reply.getByTestId('quote-text').textContent(), poll).toBe('This message was deleted');

    for (const page of [bob.page, alice.page]) await expect.poll(() => storedTraces(page, [secret, original]), poll).toEqual([]);
    // Still so after a reload, which reads the replicas back from IndexedDB.
    await bob.page.reload();
    await expect.poll(() => bob.messageTexts(), poll).toEqual(['Hi Bob', 'Lunch at one', 'See you', 'Which door?']);
    expect(await bob.tombstoneCount()).toBe(1);
    expect(await storedTraces(bob.page, [secret, original])).toEqual([]);
    await bob.screenshot('purge-bob');
  });
});
