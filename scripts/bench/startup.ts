/**
 * How long Jeco takes to show the chat list and open a chat, in real Chromium, for a
 * user with 200 chats of 1,000 messages each, against the same figures for a user with
 * one chat of 10 messages measured in the same run:
 *
 *   npm run bench:startup                    # print the table
 *   npm run bench:startup -- --write         # also replace this section of docs/benchmarks.md
 *   options: --chats 200 --messages 1000 --repeats 3 --static-dir dist --label "…"
 *
 * Each data set is seeded straight into a fresh SQLite data dir (scripts/seed.ts) and
 * served by the real server in this process. Per repeat, a fresh browser context
 * (empty IndexedDB) signed in by cookie loads `/` (cold), then the same context loads it
 * again with its replicas present (warm), and once more with the sync socket refused
 * (warm, sync blocked), which shows the list and the chat come from local replicas.
 * The client is built first when dist/ is missing or older than client/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '#schema/api/auth';
import { seed, type SeedResult } from '../seed';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, clientRevision, machineLine, ROOT, serve, signIn } from './benchServer';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## Start-up (200 chats × 1,000 messages)';
/** No step of a run should take longer; a stuck page fails the run instead of hanging it. */
const STEP_TIMEOUT_MS = 60_000;
/** After a cold load the replicas are written to IndexedDB asynchronously: give them time before the warm load. */
const PERSIST_SETTLE_MS = 1500;
const BASELINE = { chats: 1, messages: 10 };
/** A list that has not rendered every chat this long after its first is taken to be virtualized. */
const VIRTUALIZED_AFTER_MS = 10_000;
/** Time given to background opening after a cold start-up before its replicas are counted. */
const REPLICAS_SETTLE_MS = 1000;

type Phase = 'cold' | 'warm' | 'warm, sync blocked';
const PHASES: Phase[] = ['cold', 'warm', 'warm, sync blocked'];

interface Timing {
  firstItemMs: number;
  allItemsMs: number;
  /** How many chat list items were rendered when the list was complete (all of them unless virtualized). */
  items: number;
  openChatMs: number;
  /** Local replicas (IndexedDB databases) start-up opened before any chat was clicked; cold runs only. */
  replicas?: number;
}

interface DataSet {
  label: string;
  chats: number;
  messages: number;
  runs: Map<Phase, Timing[]>;
}

interface Wanted {
  items: number;
  latestText: string;
}

/**
 * Runs in every page before the app: notes, on the page's own clock (0 = navigation
 * start), the first frame after the first chat list item, after `items` of them, and,
 * once a chat item was clicked, after the bubble with `latestText` appeared.
 */
function installMarks(wanted: Wanted): void {
  const marks: Record<string, number> = { items: 0 };
  (window as unknown as { __marks: typeof marks }).__marks = marks;
  const mark = (name: string) => {
    if (name in marks) return;
    marks[name] = -1;
    requestAnimationFrame(() => (marks[name] = performance.now()));
  };
  document.addEventListener(
    'click',
    (event) => {
      if ((event.target as Element).closest?.('[data-testid="chat-list-item"]')) marks.click ??= performance.now();
    },
    true,
  );
  const isLatest = (node: Node) =>
    node instanceof Element &&
    [...(node.matches('[data-testid="message-text"]') ? [node] : []), ...node.querySelectorAll('[data-testid="message-text"]')].some((el) => el.textContent === wanted.latestText);
  new MutationObserver((records) => {
    const items = document.querySelectorAll('[data-testid="chat-list-item"]').length;
    marks.items = Math.max(marks.items!, items);
    if (items > 0) mark('firstItem');
    if (items >= wanted.items) mark('allItems');
    if (marks.click !== undefined && records.some((r) => [...r.addedNodes].some(isLatest))) mark('message');
  }).observe(document, { childList: true, subtree: true });
}

async function marksOf(page: Page, names: string[], timeout = STEP_TIMEOUT_MS): Promise<Record<string, number> | null> {
  const done = await page
    .waitForFunction((wanted) => wanted.every((n) => ((window as unknown as { __marks: Record<string, number> }).__marks?.[n] ?? 0) > 0), names, { timeout })
    .then(
      () => true,
      () => false,
    );
  if (!done) return null;
  return page.evaluate(() => ({ ...(window as unknown as { __marks: Record<string, number> }).__marks }));
}

/** Loads `/`, waits for the list, opens the newest chat and waits for its latest message. */
async function measure(page: Page, url: string, seeded: SeedResult, countReplicas: boolean): Promise<Timing> {
  await page.goto(url);
  const first = await marksOf(page, ['firstItem']);
  if (!first) throw new Error(`no chat list item within ${STEP_TIMEOUT_MS} ms`);
  // A virtualized list never renders them all: then the figure is left out and the count says so.
  const all = await marksOf(page, ['allItems'], VIRTUALIZED_AFTER_MS);
  let replicas: number | undefined;
  if (countReplicas) {
    // What start-up opens in the background (room heads, say) shows as replicas shortly after the list.
    await page.waitForTimeout(REPLICAS_SETTLE_MS);
    replicas = await page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name?.startsWith('jeco:')).length);
  }
  await page.locator(`[data-testid="chat-list-item"][data-room="${seeded.chats[0]!.roomId}"]`).click({ timeout: STEP_TIMEOUT_MS });
  const opened = await marksOf(page, ['click', 'message']);
  if (!opened) throw new Error(`the latest message did not show within ${STEP_TIMEOUT_MS} ms`);
  return { firstItemMs: first.firstItem!, allItemsMs: all?.allItems ?? Number.NaN, items: opened.items!, openChatMs: opened.message! - opened.click!, replicas };
}

async function runDataSet(browser: Browser, set: DataSet, staticDir: string, repeats: number): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-'));
  const bucketSize = 1000;
  try {
    const seedStarted = Date.now();
    const seeded = await seed({ dataDir, users: Math.max(2, set.chats), chats: set.chats, messages: set.messages, bucketSize });
    console.log(`${set.label}: seeded ${set.chats} × ${set.messages} in ${Date.now() - seedStarted} ms`);
    const server = await serve({ dataDir, staticDir, bucketSize });
    try {
      const token = await signIn(server, seeded);
      for (let r = 0; r < repeats; r++) {
        const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
        let syncBlocked = false;
        await context.routeWebSocket(/\/sync$/, (ws) => (syncBlocked ? ws.close() : ws.connectToServer()));
        // tsx wraps inner functions in `__name(…)` calls, which the page does not define.
        await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
        await context.addInitScript(installMarks, { items: set.chats, latestText: seeded.chats[0]!.latestText! } satisfies Wanted);
        await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
        const page = await context.newPage();
        for (const phase of PHASES) {
          syncBlocked = phase === 'warm, sync blocked';
          const timing = await measure(page, `${server.url}/`, seeded, phase === 'cold');
          set.runs.set(phase, [...(set.runs.get(phase) ?? []), timing]);
          console.log(`${set.label} #${r + 1} ${phase}: ${fmt(timing.firstItemMs)} / ${fmt(timing.allItemsMs)} (${timing.items} items) / open ${fmt(timing.openChatMs)} ms`);
          if (phase === 'cold') await page.waitForTimeout(PERSIST_SETTLE_MS);
        }
        await closeContext(context);
      }
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function closeContext(context: BrowserContext): Promise<void> {
  await context.close().catch(() => undefined);
}

const fmt = (ms: number) => ms.toFixed(0);

function stats(all: number[]): string {
  const sorted = all.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return '—';
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${fmt(median)} (${fmt(sorted[0]!)}–${fmt(sorted.at(-1)!)})`;
}

function table(baseline: DataSet, large: DataSet): string[] {
  const metrics: Array<[string, (t: Timing) => number]> = [
    ['load → first chat in list', (t) => t.firstItemMs],
    [`load → all ${large.chats} chats listed`, (t) => t.allItemsMs],
    ['click → latest message shown', (t) => t.openChatMs],
  ];
  const rows = PHASES.flatMap((phase) => metrics.map(([name, pick]) => `| ${phase} | ${name} | ${stats(baseline.runs.get(phase)!.map(pick))} | ${stats(large.runs.get(phase)!.map(pick))} |`));
  return [`| run | step | ${baseline.chats} chat × ${baseline.messages} messages | ${large.chats} chats × ${large.messages.toLocaleString('en')} messages |`, '| --- | --- | --- | --- |', ...rows];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chats: { type: 'string', default: '200' },
      messages: { type: 'string', default: '1000' },
      repeats: { type: 'string', default: '3' },
      'static-dir': { type: 'string', default: path.join(ROOT, 'dist') },
      label: { type: 'string' },
      write: { type: 'boolean', default: false },
    },
  });
  const began = Date.now();
  const staticDir = path.resolve(values['static-dir']!);
  await buildClientIfStale(staticDir);
  const repeats = Number(values.repeats);
  const baseline: DataSet = { label: 'baseline', ...BASELINE, runs: new Map() };
  const large: DataSet = { label: 'large', chats: Number(values.chats), messages: Number(values.messages), runs: new Map() };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  try {
    await runDataSet(browser, baseline, staticDir, repeats);
    await runDataSet(browser, large, staticDir, repeats);
  } finally {
    await browser.close();
  }

  const items = large.runs.get('cold')!.map((t) => t.items);
  const replicas = (set: DataSet) => [...new Set(set.runs.get('cold')!.map((t) => t.replicas))].join('/');
  const virtualized = items.some((n) => n < large.chats);
  const lines = [
    ...table(baseline, large),
    '',
    `Times in ms, median (min–max) of ${repeats} runs; ${values.label ?? clientRevision()}. ${virtualized ? `The list is virtualized: "all listed" is when it stopped growing, at ${Math.min(...items)}–${Math.max(...items)} items.` : `The list is not virtualized: all ${large.chats} items are in the DOM.`}`,
    `Local replicas a cold start-up opened before a chat was clicked (IndexedDB databases): ${replicas(baseline)} with ${baseline.chats} chat, ${replicas(large)} with ${large.chats} chats.`,
    machineLine(chromiumVersion, began),
  ];
  console.log(`\n${lines.join('\n')}`);
  if (values.write) {
    await writeBenchmarkSection(
      [
        HEADING,
        '',
        '`npm run bench:startup` (`scripts/bench/startup.ts`; `-- --write` replaces this section), ' +
          new Date().toISOString().slice(0, 10) +
          '. One user, seeded straight into a fresh SQLite store (`scripts/seed.ts`, buckets of 1,000 so each chat is one full bucket and an empty head), served by the real server; headless Chromium 1200×800 signed in by session cookie. **cold**: fresh browser context, empty IndexedDB, `page.goto("/")`. **warm**: the same context loaded again, replicas in IndexedDB. **warm, sync blocked**: the same with the `/sync` WebSocket refused, so everything shown comes from local replicas. "click → latest message shown" opens the newest chat and waits for its last message bubble. Each time is taken on the page\'s own clock (from navigation start, or from the click) to the first frame after the element entered the DOM; in the 1-chat column "all … listed" means its one chat. The machine is shared with other work, so single runs vary by a few hundred ms.',
        '',
        ...lines,
      ].join('\n'),
    );
    console.log('\nwrote docs/benchmarks.md');
  }
}

await main();
