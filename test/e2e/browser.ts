import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type TestServerOptions } from '../helpers/server';
import { CHROMIUM_PATH } from '../helpers/services';
import { ChatPage, SEEN_WITHIN_MS } from './chatPage';

/** Chromium as every end-to-end file launches it: headless, quiet, nothing fetched on its own. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Every test person's password: long enough for the server's rules. */
export const PASSWORD = 'correct horse battery staple';
/** `expect.poll` options for something another person's screen should show soon. */
export const poll = { timeout: SEEN_WITHIN_MS, interval: 100 };

/**
 * A server and one browser with a page (its own context, so its own IndexedDB and
 * cookies) per person, started before the file's tests and closed after them. Read the
 * pages in a `beforeAll` declared after this call. `extraArgs` add Chromium flags for
 * this file only (a fake microphone, say).
 */
export function usePeople(count: number, serverOptions: TestServerOptions = {}, extraArgs: readonly string[] = []): { pages: ChatPage[] } {
  const cast: { pages: ChatPage[] } = { pages: [] };
  let browser: Browser | undefined;
  beforeAll(async () => {
    const server = await startServer(serverOptions);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
    for (let i = 0; i < count; i++) cast.pages.push(await ChatPage.open(await browser.newContext({ viewport: { width: 1100, height: 760 } }), server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return cast;
}

/** The people of the end-to-end files, in the order `usePeople` opens their pages. */
const CAST = ['Alice Liddell', 'Bob Builder', 'Carol Danvers'] as const;

/**
 * `usePeople(count)`, each signed up before the file's tests as Alice Liddell, Bob
 * Builder and Carol Danvers, with usernames fresh for this run (`alice_<run>` …).
 */
export function useSignedUpPeople(count: 2 | 3, serverOptions: TestServerOptions = {}, extraArgs: readonly string[] = []): { pages: ChatPage[]; usernames: string[] } {
  const cast = usePeople(count, serverOptions, extraArgs);
  const run = Date.now().toString(36);
  const usernames = CAST.slice(0, count).map((name) => `${name.split(' ')[0]!.toLowerCase()}_${run}`);
  beforeAll(async () => {
    for (const [i, page] of cast.pages.entries()) await page.register(usernames[i]!, CAST[i]!, PASSWORD);
  });
  return { pages: cast.pages, usernames };
}
