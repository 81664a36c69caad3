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
 * A person's page before it exists: the name a test file holds from the start, which
 * reads and writes through to the page `usePeople` opens before the file's tests.
 * Used before then (at the file's top level), it says so instead of failing obscurely.
 */
function openedLater(name: string, opened: () => ChatPage | undefined): ChatPage {
  const page = () => {
    const chat = opened();
    if (!chat) throw new Error(`${name}'s page is opened before the file's tests: use it inside a test or a later beforeAll`);
    return chat;
  };
  return new Proxy(Object.create(ChatPage.prototype) as ChatPage, {
    get: (_, key) => {
      const chat = page();
      const value: unknown = Reflect.get(chat, key, chat);
      return typeof value === 'function' ? value.bind(chat) : value;
    },
    set: (_, key, value) => Reflect.set(page(), key, value),
  });
}

/**
 * A server and one browser with a page (its own context, so its own IndexedDB and
 * cookies) per person, started before the file's tests and closed after them, each
 * under the name given: `const { alice, bob } = usePeople(['alice', 'bob'])`. The pages
 * are there in every test and in any `beforeAll` declared after this call. `extraArgs`
 * add Chromium flags for this file only (a fake microphone, say).
 */
export function usePeople<const Name extends string>(names: readonly Name[], serverOptions: TestServerOptions = {}, extraArgs: readonly string[] = []): Record<Name, ChatPage> {
  const pages: ChatPage[] = [];
  let browser: Browser | undefined;
  beforeAll(async () => {
    const server = await startServer(serverOptions);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
    for (const _ of names) pages.push(await ChatPage.open(await browser.newContext({ viewport: { width: 1100, height: 760 } }), server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return Object.fromEntries(names.map((name, i) => [name, openedLater(name, () => pages[i])])) as Record<Name, ChatPage>;
}

/** The people of the end-to-end files, in the order `useSignedUpPeople` opens their pages. */
const CAST = ['Alice Liddell', 'Bob Builder', 'Carol Danvers'] as const;

/** Alice and Bob, signed up; their usernames in that order. */
interface Two {
  alice: ChatPage;
  bob: ChatPage;
  usernames: [string, string];
}
/** Alice, Bob and Carol, signed up; their usernames in that order. */
interface Three extends Omit<Two, 'usernames'> {
  carol: ChatPage;
  usernames: [string, string, string];
}

/**
 * `usePeople` for Alice Liddell, Bob Builder (and Carol Danvers), each signed up before
 * the file's tests with a username fresh for this run (`alice_<run>` …):
 * `const { alice, bob, usernames } = useSignedUpPeople(2)`.
 */
export function useSignedUpPeople(count: 2, serverOptions?: TestServerOptions, extraArgs?: readonly string[]): Two;
export function useSignedUpPeople(count: 3, serverOptions?: TestServerOptions, extraArgs?: readonly string[]): Three;
export function useSignedUpPeople(count: 2 | 3, serverOptions: TestServerOptions = {}, extraArgs: readonly string[] = []): Two | Three {
  const names = (['alice', 'bob', 'carol'] as const).slice(0, count);
  const people = usePeople(names, serverOptions, extraArgs) as Record<(typeof names)[number], ChatPage>;
  const run = Date.now().toString(36);
  const usernames = names.map((name) => `${name}_${run}`);
  beforeAll(async () => {
    for (const [i, name] of names.entries()) await people[name].register(usernames[i]!, CAST[i]!, PASSWORD);
  });
  return { ...people, usernames } as Two | Three;
}
