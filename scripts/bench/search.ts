// Long on purpose: one benchmark (seed, measure in Chromium, report) whose steps share its data sets and marks.
/**
 * How fast Jeco's local message search is in real Chromium, for a user with 100 chats
 * of 1,000 messages each (100,000 messages), against 1 chat of 1,000 messages measured
 * in the same run:
 *
 *   npm run bench:search                    # print the table
 *   npm run bench:search -- --write         # also replace this section of docs/benchmarks.md
 *   options: --chats 100 --messages 1000 --repeats 3 --runs 5
 *
 * Each data set is seeded into a fresh SQLite data dir (users, rooms and chat indexes by
 * scripts/seed.ts; the messages, generated from a seeded vocabulary so the text varies
 * like a real chat, appended to each chat's bucket as one more logged update) and served
 * by the real server in this process. The browser gets them the way a person's would:
 * signed in on a fresh profile, the first search online brings every chat's recent
 * buckets into the IndexedDB replicas. Then, per repeat, the page is reloaded with the
 * sync socket refused (so everything comes from IndexedDB) and searched: the index load
 * and each query are read from the app's own User Timing entries
 * (`jeco:search:index`, `jeco:search:query`), and "typed → shown" on the page's clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import seedrandom from 'seedrandom';
import * as Y from 'yjs';
import { SESSION_COOKIE } from '#schema/api/auth';
import { appendMessage } from '#schema/docs/bucket';
import { bucketDoc } from '#schema/docs/names';
import { newMessageId, type UserId } from '#schema/ids';
import { openStore } from '../../sync-server/src/store/openStore';
import { seed, type SeedResult } from '../seed';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, machineLine, serve, signIn } from './benchServer';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## Search (100 chats × 1,000 messages)';
const STEP_TIMEOUT_MS = 120_000;
/** After the fetch, replicas are written to IndexedDB asynchronously: give them time before reloading. */
const PERSIST_SETTLE_MS = 2000;
/** The app's typing debounce (client/src/search/useMessageSearch.ts), part of "typed → shown". */
const DEBOUNCE_MS = 120;
const BASELINE = { chats: 1, messages: 1000 };
/** One message in this many carries the rare word, at fixed places: 10 in 100,000, 1 in 1,000. */
const RARE_EVERY = 10_000;
const RARE_AT = 500;

const QUERIES = [
  { kind: 'rare word', query: 'xylophone' },
  { kind: 'common word', query: 'the' },
  { kind: 'two words', query: 'train late' },
  { kind: 'no match', query: 'qwertzuiop' },
] as const;

// ---------- varied message text ----------

const OPENERS = ['', '', '', 'Hey, ', 'Ok so ', 'Honestly, ', 'Btw ', 'Quick one: ', 'Sorry, ', 'Haha ', 'Good morning! ', 'Hmm, '];
const PHRASES = [
  'the train is running late again',
  'can you pick up milk on the way home',
  'the meeting moved to 3pm',
  'did you see the match last night',
  'the kids loved the museum',
  "let's book the flights for March",
  'I left my keys at the office',
  'dinner at eight works for me',
  'the landlord finally fixed the heating',
  'are you coming to the party on Saturday',
  'I sent you the photos from the wedding',
  'the report is due on Friday',
  'traffic is terrible, running late',
  'happy birthday, have a great day',
  'we need more coffee beans',
  'the plumber comes tomorrow morning',
  'I finished the book you lent me',
  'can we move our call to next week',
  'the concert tickets sold out in minutes',
  'my laptop battery died during the demo',
  'grandma says hello',
  'the garden needs watering',
  'who is bringing the board games',
  'I will be there in ten minutes',
  'the new café near the station is great',
  'rain all weekend, as usual',
  'the dentist appointment is at 11',
  "don't forget the recycling tonight",
  'just landed, taking a taxi now',
  'the Wi-Fi at the hotel is awful',
];
const PLACES = ['Lisbon', 'Kraków', 'Zürich', 'Málaga', 'São Paulo', 'Montréal', 'Reykjavík', 'Nantes', 'Oslo', 'Göteborg'];
const TAILS = ['', '', '', '!', '?', ' 😂', ' 🙏', ' 👍', '…', ' :)'];

function sentence(pick: () => number, n: number): string {
  const one = <T>(list: readonly T[]) => list[Math.floor(pick() * list.length)]!;
  const parts = Array.from({ length: 1 + Math.floor(pick() * 3) }, () => one(PHRASES));
  if (pick() < 0.15) parts.push(`see you in ${one(PLACES)}`);
  if (n % RARE_EVERY === RARE_AT) parts.push('the xylophone is in the attic');
  const text = `${one(OPENERS)}${parts.join(pick() < 0.5 ? ', ' : '. ')}${one(TAILS)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Seeds users, rooms and chat indexes, then appends `messages - 1` generated messages to each chat's bucket 0. */
async function seedVaried(dataDir: string, chats: number, messages: number): Promise<SeedResult> {
  const seeded = await seed({ dataDir, users: Math.max(2, chats), chats, messages: 1, bucketSize: messages });
  const pick = seedrandom('search-bench');
  const db = await openStore({ dataDir });
  let n = 0;
  try {
    for (const chat of seeded.chats) {
      const doc = new Y.Doc();
      doc.transact(() => {
        for (let j = 0; j < messages - 1; j++, n++) {
          appendMessage(doc, { id: newMessageId(), authorId: seeded.userId as UserId, createdAt: Date.now() - (messages - j) * 60_000, text: sentence(pick, n) });
        }
      });
      await db.appendUpdate(bucketDoc(chat.roomId, 0), Y.encodeStateAsUpdate(doc));
      doc.destroy();
    }
  } finally {
    await db.close();
  }
  return seeded;
}

// ---------- server and browser ----------

interface Measure {
  duration: number;
  detail: Record<string, unknown>;
}

function measures(page: Page, name: string): Promise<Measure[]> {
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => ({ duration: e.duration, detail: (e as PerformanceMeasure).detail as Record<string, unknown> })), name);
}

/**
 * Runs in every page before the app: notes on the page's clock when the search box was
 * last typed into, and the first frame after the results show the query typed.
 */
function installMarks(): void {
  const marks = { typed: 0, shown: 0, query: '' };
  (window as unknown as { __search: typeof marks }).__search = marks;
  document.addEventListener(
    'input',
    (event) => {
      const input = event.target as HTMLInputElement;
      if (input.dataset.testid !== 'chat-search-input') return;
      marks.typed = performance.now();
      marks.shown = 0;
      marks.query = input.value;
    },
    true,
  );
  new MutationObserver(() => {
    const results = document.querySelector<HTMLElement>('[data-testid="search-results"]');
    if (marks.shown || !marks.query || results?.dataset.query !== marks.query) return;
    if (!results.querySelector('[data-testid="search-result"], [data-testid="search-empty"]')) return;
    marks.shown = -1;
    requestAnimationFrame(() => (marks.shown = performance.now()));
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-query'] });
}

/** Types `query` into the chat list's search and waits until its results are shown; the time from the keystroke, on the page's clock. */
async function typeAndWait(page: Page, query: string): Promise<number> {
  await page.getByTestId('chat-search-input').fill(query);
  await page.waitForFunction(() => (window as unknown as { __search: { shown: number } }).__search.shown > 0, undefined, { timeout: STEP_TIMEOUT_MS });
  return page.evaluate(() => {
    const m = (window as unknown as { __search: { typed: number; shown: number } }).__search;
    return m.shown - m.typed;
  });
}

interface Results {
  label: string;
  chats: number;
  messages: number;
  fetchMs: number;
  indexLoadMs: number[];
  decodeMs: number[];
  foldMs: number[];
  firstShownMs: number[];
  queries: Map<string, number[]>;
  shown: Map<string, number[]>;
  hits: Map<string, number>;
  refreshMs: number[];
}

async function runDataSet(browser: Browser, label: string, chats: number, messages: number, repeats: number, runs: number): Promise<Results> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-search-'));
  const out: Results = { label, chats, messages, fetchMs: 0, indexLoadMs: [], decodeMs: [], foldMs: [], firstShownMs: [], queries: new Map(), shown: new Map(), hits: new Map(), refreshMs: [] };
  try {
    const seeded = await seedVaried(dataDir, chats, messages);
    const total = chats * messages;
    console.log(`${label}: seeded ${chats} × ${messages}`);
    const server = await serve({ dataDir, bucketSize: messages });
    try {
      const token = await signIn(server, seeded);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      let syncBlocked = false;
      await context.routeWebSocket(/\/sync$/, (ws) => (syncBlocked ? ws.close() : ws.connectToServer()));
      await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
      await context.addInitScript(installMarks);
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.getByTestId('chat-list-item').first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await page.getByTestId('connection-status').and(page.locator('[data-status="connected"]')).waitFor({ timeout: STEP_TIMEOUT_MS });

      // The first search online brings every chat's recent buckets onto the device.
      const fetchStarted = Date.now();
      await page.getByTestId('chat-search-input').fill('the');
      await page.waitForFunction(
        (want) => performance.getEntriesByName('jeco:search:index', 'measure').some((e) => ((e as PerformanceMeasure).detail as { messages: number }).messages >= want),
        total,
        { timeout: STEP_TIMEOUT_MS * 3, polling: 250 },
      );
      out.fetchMs = Date.now() - fetchStarted;
      console.log(`${label}: fetched ${total} messages for search in ${out.fetchMs} ms`);
      await page.waitForTimeout(PERSIST_SETTLE_MS);

      for (let r = 0; r < repeats; r++) {
        syncBlocked = true;
        await page.reload();
        await page.getByTestId('chat-list-item').first().waitFor({ timeout: STEP_TIMEOUT_MS });
        // The first query of a page load waits for the index to be read from IndexedDB.
        out.firstShownMs.push(await typeAndWait(page, QUERIES[0].query));
        // Results show while the index is still being read (partial); the queries below run on the whole index.
        await page.waitForFunction(() => performance.getEntriesByName('jeco:search:index', 'measure').length > 0, undefined, { timeout: STEP_TIMEOUT_MS });
        const load = (await measures(page, 'jeco:search:index'))[0]!;
        if (load.detail.messages !== total) throw new Error(`index holds ${String(load.detail.messages)} messages, expected ${total}`);
        out.indexLoadMs.push(load.duration);
        out.decodeMs.push(load.detail.decodeMs as number);
        out.foldMs.push(load.detail.foldMs as number);
        for (let k = 0; k < runs; k++) {
          for (const { query } of QUERIES) {
            await page.getByTestId('chat-search-input').fill('');
            const shownMs = await typeAndWait(page, query);
            const run = (await measures(page, 'jeco:search:query')).filter((m) => m.detail.query === query).at(-1)!;
            out.queries.set(query, [...(out.queries.get(query) ?? []), run.duration]);
            out.shown.set(query, [...(out.shown.get(query) ?? []), shownMs]);
            out.hits.set(query, run.detail.total as number);
          }
        }
        // The index re-checks IndexedDB every 2 s while a search shows; with nothing changed:
        await page.waitForTimeout(4500);
        out.refreshMs.push(...(await measures(page, 'jeco:search:index')).slice(1).map((m) => m.duration));
        console.log(`${label} #${r + 1}: index ${fmt(load.duration)} ms; ${QUERIES.map(({ query }) => `${query} ${fmt(out.queries.get(query)!.at(-1)!)}`).join(', ')}`);
      }
      await context.close();
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return out;
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const summary = (values: number[]) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 95))} / ${fmt(Math.max(...values))}`;
const ratio = (large: number[], small: number[]) => `${(percentile(large, 50) / percentile(small, 50)).toFixed(1)}×`;

function table(base: Results, large: Results): string[] {
  const head = `${base.chats} chat × ${base.messages.toLocaleString('en')}`;
  const big = `${large.chats} chats × ${large.messages.toLocaleString('en')}`;
  const all = (r: Results) => [...r.queries.values()].flat();
  const allShown = (r: Results) => [...r.shown.values()].flat();
  return [
    `| step | ${head} (p50 / p95 / max) | ${big} (p50 / p95 / max) | ratio of p50 |`,
    '| --- | --- | --- | --- |',
    `| load the index from IndexedDB (first search of a page load) | ${summary(base.indexLoadMs)} | ${summary(large.indexLoadMs)} | ${ratio(large.indexLoadMs, base.indexLoadMs)} |`,
    `| … of which decoding the bucket docs (Yjs, message schema, overlays) | ${summary(base.decodeMs)} | ${summary(large.decodeMs)} | ${ratio(large.decodeMs, base.decodeMs)} |`,
    `| … of which folding the texts (lower case, NFD, marks stripped) | ${summary(base.foldMs)} | ${summary(large.foldMs)} | ${ratio(large.foldMs, base.foldMs)} |`,
    `| first search of a page load: typed → first results shown (partial while the index loads) | ${summary(base.firstShownMs)} | ${summary(large.firstShownMs)} | ${ratio(large.firstShownMs, base.firstShownMs)} |`,
    ...QUERIES.map(
      ({ kind, query }) =>
        `| query, ${kind} "${query}" (${base.hits.get(query)} / ${large.hits.get(query)!.toLocaleString('en')} hits) | ${summary(base.queries.get(query)!)} | ${summary(large.queries.get(query)!)} | ${ratio(large.queries.get(query)!, base.queries.get(query)!)} |`,
    ),
    `| query, all of the above | ${summary(all(base))} | ${summary(all(large))} | ${ratio(all(large), all(base))} |`,
    `| query typed → results shown (incl. ${DEBOUNCE_MS} ms debounce, render of ≤ 100 results) | ${summary(allShown(base))} | ${summary(allShown(large))} | ${ratio(allShown(large), allShown(base))} |`,
    `| re-check of IndexedDB with nothing changed (every 2 s while a search shows) | ${summary(base.refreshMs)} | ${summary(large.refreshMs)} | ${ratio(large.refreshMs, base.refreshMs)} |`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chats: { type: 'string', default: '100' },
      messages: { type: 'string', default: '1000' },
      repeats: { type: 'string', default: '3' },
      runs: { type: 'string', default: '5' },
      write: { type: 'boolean', default: false },
    },
  });
  const began = Date.now();
  // The machine may be shared: its load, before and after, says how far to trust the figures.
  const loadBefore = os.loadavg()[0]!;
  await buildClientIfStale();
  const repeats = Number(values.repeats);
  const runs = Number(values.runs);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  let base: Results;
  let large: Results;
  try {
    base = await runDataSet(browser, 'baseline', BASELINE.chats, BASELINE.messages, repeats, runs);
    large = await runDataSet(browser, 'large', Number(values.chats), Number(values.messages), repeats, runs);
  } finally {
    await browser.close();
  }
  const p50 = (values: number[]) => fmt(percentile(values, 50));
  const allQueries = [...large.queries.values()].flat();
  const lines = [
    ...table(base, large),
    '',
    `- A query over ${(large.chats * large.messages).toLocaleString('en')} messages takes ${p50(allQueries)} ms at the median and ${fmt(percentile(allQueries, 95))} ms at p95: a linear scan of the folded texts, keeping the newest 100 hits. Typing stays ahead of it (the 120 ms debounce is most of "typed → shown"), so no inverted index is kept.`,
    `- Loading the index grows with the messages (${ratio(large.indexLoadMs, base.indexLoadMs)} for ${(large.chats * large.messages) / (base.chats * base.messages)}× the messages) and is mostly decoding the Yjs bucket docs (${p50(large.decodeMs)} of ${p50(large.indexLoadMs)} ms); folding is ${p50(large.foldMs)} ms. It starts when the search box gets focus, and results show as buckets come in (${p50(large.firstShownMs)} ms after the first key here).`,
    `- While a search is shown, the 2 s re-check costs ${p50(large.refreshMs)} ms for ${large.chats} buckets with nothing changed (one key cursor each).`,
    '',
    `Times in ms. Index load: ${repeats} page loads; queries: ${repeats} page loads × ${runs} runs of each query (${repeats * runs} per query, ${repeats * runs * QUERIES.length} in all). Bringing the messages onto a fresh device (the first search online, 3 chats at a time over the one socket) took ${(base.fetchMs / 1000).toFixed(1)} s for ${base.chats} chat and ${(large.fetchMs / 1000).toFixed(1)} s for ${large.chats}.`,
    machineLine(chromiumVersion, began, `; 1-minute load average ${loadBefore.toFixed(1)} before the run, ${os.loadavg()[0]!.toFixed(1)} after`),
  ];
  console.log(`\n${lines.join('\n')}`);
  if (values.write) {
    await writeBenchmarkSection(
      [
        HEADING,
        '',
        '`npm run bench:search` (`scripts/bench/search.ts`; `-- --write` replaces this section), ' +
          new Date().toISOString().slice(0, 10) +
          '. One user; users, rooms and chat indexes seeded by `scripts/seed.ts`, each chat\'s bucket filled with generated, varied messages (a seeded vocabulary of everyday phrases, place names with accents, emoji; the word "xylophone" in one message in 10,000), served by the real server. Headless Chromium 1280×800 on a fresh profile signs in; its first search, online, brings every chat\'s recent buckets into the IndexedDB replicas. Each repeat then reloads the page with the `/sync` socket refused, so the search reads IndexedDB alone. "Load the index" and each query are the app\'s own User Timing entries (`jeco:search:index`: list the replicas, read and decode each bucket, fold its texts; `jeco:search:query`: match and sort, without rendering); "typed → results shown" is on the page\'s clock, from the input event to the first frame showing that query\'s results. The machine is shared with other work.',
        '',
        ...lines,
      ].join('\n'),
    );
    console.log('\nwrote docs/benchmarks.md');
  }
}

await main();
