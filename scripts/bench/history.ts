/**
 * How a long chat opens and scrolls back in real Chromium: one DM whose buckets hold
 * 10,000 messages (buckets of 1,000: ten full ones and an empty head), against the same
 * measurements on a DM of 100 messages taken in the same run:
 *
 *   npm run bench:history                    # print the table
 *   npm run bench:history -- --write         # also replace this section of docs/benchmarks.md
 *   options: --messages 10000 --scroll-back 2000 --repeats 3 --static-dir dist --label "…"
 *
 * Each data set is seeded straight into a fresh SQLite data dir (scripts/seed.ts) and
 * served by the real server in this process. Per repeat, a fresh browser context (empty
 * IndexedDB) signed in by cookie navigates to the chat (`/c/<room>`) and waits for the
 * latest message (cold); after the replicas are persisted, the same context loads it
 * again (warm, from the local replica). Then the page scrolls the list up by a fixed
 * step every frame, as a fast reader would, until the message `--scroll-back` before the
 * latest is in view (or the top of a shorter chat), loading older buckets on the way;
 * every frame's duration and the number of message rows in the DOM are recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '#schema/api/auth';
import { seed } from '../seed';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, clientRevision, machineLine, ROOT, serve, signIn } from './benchServer';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## History (one chat of 10,000 messages)';
const BUCKET_SIZE = 1000;
const BASELINE_MESSAGES = 100;
/** No step of a run should take longer; a stuck page fails the run instead of hanging it. */
const STEP_TIMEOUT_MS = 60_000;
/** After a cold load the replicas are written to IndexedDB asynchronously: give them time before the warm load. */
const PERSIST_SETTLE_MS = 1500;
/** Pixels scrolled up per frame: a fast, continuous fling (about 5 screens a second at 60 frames a second). */
const SCROLL_STEP_PX = 64;
/** Frame budgets the report counts frames over: one 60 Hz frame, and a hitch a reader notices. */
const FRAME_MS = 1000 / 60;
const HITCH_MS = 50;

interface Run {
  coldMs: number;
  warmMs: number;
  /** Durations of the frames while scrolling back, ms. */
  frames: number[];
  maxRows: number;
  scrolledBack: number;
  scrollMs: number;
}

interface DataSet {
  label: string;
  messages: number;
  runs: Run[];
}

/**
 * Runs in every page before the app: notes, on the page's own clock (0 = navigation
 * start), the first frame after a bubble with `latestText` entered the DOM.
 */
function installMark(latestText: string): void {
  const marks: Record<string, number> = {};
  (window as unknown as { __marks: typeof marks }).__marks = marks;
  const isLatest = (node: Node) =>
    node instanceof Element && [...(node.matches('[data-testid="message-text"]') ? [node] : []), ...node.querySelectorAll('[data-testid="message-text"]')].some((el) => el.textContent === latestText);
  new MutationObserver((records) => {
    if (marks.latest !== undefined || !records.some((r) => [...r.addedNodes].some(isLatest))) return;
    marks.latest = -1;
    requestAnimationFrame(() => (marks.latest = performance.now()));
  }).observe(document, { childList: true, subtree: true });
}

async function openChat(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => ((window as unknown as { __marks: Record<string, number> }).__marks.latest ?? 0) > 0, undefined, { timeout: STEP_TIMEOUT_MS });
  return page.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks.latest!);
}

/** In the page: scrolls up `step` px a frame until a bubble ending in `#<target>` is in view (or the top is reached with nothing left to load). */
function scrollBack({ target, step, timeoutMs }: { target: number; step: number; timeoutMs: number }): Promise<{ frames: number[]; maxRows: number; reached: number; ms: number }> {
  const scroller = document.querySelector<HTMLElement>('[data-testid="messages"]')!;
  const frames: number[] = [];
  let maxRows = 0;
  const numberOf = (row: Element) => Number(row.querySelector('[data-testid="message-text"]')?.textContent?.split('#').pop());
  const topVisible = () => {
    const top = scroller.getBoundingClientRect().top;
    const row = [...scroller.querySelectorAll('[data-message-id]')].find((r) => r.getBoundingClientRect().bottom > top);
    return row ? numberOf(row) : Number.NaN;
  };
  return new Promise((resolve) => {
    const started = performance.now();
    let last = started;
    const frame = (now: number) => {
      frames.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, scroller.querySelectorAll('[data-message-id]').length);
      const reached = topVisible();
      const done = reached <= target || (scroller.scrollTop === 0 && !document.querySelector('[data-testid="loading-older"]'));
      if (done || now - started > timeoutMs) return resolve({ frames: frames.slice(1), maxRows, reached, ms: now - started });
      scroller.scrollTop -= step;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

async function runDataSet(browser: Browser, set: DataSet, staticDir: string, repeats: number, scrollBackCount: number): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-history-'));
  try {
    const seedStarted = Date.now();
    const seeded = await seed({ dataDir, users: 2, chats: 1, messages: set.messages, bucketSize: BUCKET_SIZE });
    console.log(`${set.label}: seeded ${set.messages} messages in ${Date.now() - seedStarted} ms`);
    const chat = seeded.chats[0]!;
    const server = await serve({ dataDir, staticDir, bucketSize: BUCKET_SIZE });
    try {
      const token = await signIn(server, seeded);
      for (let r = 0; r < repeats; r++) {
        const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
        // tsx wraps inner functions in `__name(…)` calls, which the page does not define.
        await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
        await context.addInitScript(installMark, chat.latestText!);
        await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
        const page = await context.newPage();
        const url = `${server.url}/c/${chat.roomId}`;
        const coldMs = await openChat(page, url);
        await page.waitForTimeout(PERSIST_SETTLE_MS);
        const warmMs = await openChat(page, url);
        // Let the open settle (the list measures its rows and pins the bottom) before scrolling.
        await page.waitForTimeout(500);
        const scrolled = await page.evaluate(scrollBack, { target: set.messages - scrollBackCount, step: SCROLL_STEP_PX, timeoutMs: STEP_TIMEOUT_MS });
        const run: Run = { coldMs, warmMs, frames: scrolled.frames, maxRows: scrolled.maxRows, scrolledBack: set.messages - scrolled.reached, scrollMs: scrolled.ms };
        set.runs.push(run);
        const f = frameStats(run.frames);
        console.log(
          `${set.label} #${r + 1}: cold ${fmt(coldMs)} ms, warm ${fmt(warmMs)} ms; back ${run.scrolledBack} messages in ${fmt(run.scrollMs)} ms, ${run.frames.length} frames, p50 ${f.p50.toFixed(1)} p95 ${f.p95.toFixed(1)} max ${f.max.toFixed(1)} ms, >16.7: ${f.over16}, >50: ${f.over50}, rows ≤ ${run.maxRows}`,
        );
        await context.close().catch(() => undefined);
      }
    } finally {
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => ms.toFixed(0);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function frameStats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN,
    // A frame a little over 16.7 ms is vsync jitter, not a dropped frame.
    over16: frames.filter((f) => f > FRAME_MS + 1).length,
    over50: frames.filter((f) => f > HITCH_MS).length,
  };
}

/** One frame figure of every run of a data set, `a / b / c`. */
const perRun = (set: DataSet, pick: (f: ReturnType<typeof frameStats>) => string) => set.runs.map((r) => pick(frameStats(r.frames))).join(' / ');

const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

interface Summary {
  cold: number;
  warm: number;
  p50: number;
  p95: number;
  max: number;
  over16: number;
  over50: number;
  frames: number;
  rows: number;
  back: number;
  scrollMs: number;
}

/** Medians over the repeats; frame figures per run first, so one slow run does not hide in the pool. */
function summarize(set: DataSet): Summary {
  const per = set.runs.map((r) => ({ ...frameStats(r.frames), frames: r.frames.length }));
  return {
    cold: median(set.runs.map((r) => r.coldMs)),
    warm: median(set.runs.map((r) => r.warmMs)),
    p50: median(per.map((p) => p.p50)),
    p95: median(per.map((p) => p.p95)),
    max: median(per.map((p) => p.max)),
    over16: median(per.map((p) => p.over16)),
    over50: median(per.map((p) => p.over50)),
    frames: median(per.map((p) => p.frames)),
    rows: Math.max(...set.runs.map((r) => r.maxRows)),
    back: median(set.runs.map((r) => r.scrolledBack)),
    scrollMs: median(set.runs.map((r) => r.scrollMs)),
  };
}

function table(baseline: Summary, large: Summary, baselineMessages: number, largeMessages: number): string[] {
  const ratio = (a: number, b: number) => (a > 0 ? `${(b / a).toFixed(2)}×` : '—');
  const rows: Array<[string, number, number, (v: number) => string]> = [
    ['navigation → latest messages painted, first open (empty IndexedDB), ms', baseline.cold, large.cold, fmt],
    ['navigation → latest messages painted, second open (local replica), ms', baseline.warm, large.warm, fmt],
    ['scroll back: messages scrolled past', baseline.back, large.back, fmt],
    ['scroll back: time, ms', baseline.scrollMs, large.scrollMs, fmt],
    ['scroll back: frames', baseline.frames, large.frames, fmt],
    ['frame time p50, ms', baseline.p50, large.p50, (v) => v.toFixed(1)],
    ['frame time p95, ms', baseline.p95, large.p95, (v) => v.toFixed(1)],
    ['frame time max, ms', baseline.max, large.max, (v) => v.toFixed(1)],
    ['frames over 16.7 ms', baseline.over16, large.over16, fmt],
    ['frames over 50 ms', baseline.over50, large.over50, fmt],
    ['message rows in the DOM (most at any frame)', baseline.rows, large.rows, fmt],
  ];
  return [
    `| measurement | ${baselineMessages} messages | ${largeMessages.toLocaleString('en')} messages | ratio |`,
    '| --- | --- | --- | --- |',
    ...rows.map(([name, a, b, f]) => `| ${name} | ${f(a)} | ${f(b)} | ${ratio(a, b)} |`),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '10000' },
      'scroll-back': { type: 'string', default: '2000' },
      repeats: { type: 'string', default: '3' },
      'static-dir': { type: 'string', default: path.join(ROOT, 'dist') },
      label: { type: 'string' },
      write: { type: 'boolean', default: false },
    },
  });
  const began = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const staticDir = path.resolve(values['static-dir']!);
  await buildClientIfStale(staticDir);
  const repeats = Number(values.repeats);
  const scrollBackCount = Number(values['scroll-back']);
  const baseline: DataSet = { label: 'baseline', messages: BASELINE_MESSAGES, runs: [] };
  const large: DataSet = { label: 'large', messages: Number(values.messages), runs: [] };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  try {
    await runDataSet(browser, baseline, staticDir, repeats, scrollBackCount);
    await runDataSet(browser, large, staticDir, repeats, scrollBackCount);
  } finally {
    await browser.close();
  }

  const b = summarize(baseline);
  const l = summarize(large);
  const cpu = os.cpus();
  const lines = [
    ...table(b, l, baseline.messages, large.messages),
    '',
    `Medians of ${repeats} runs (frame figures per run, then the median of the runs; rows: the most seen in any run); ${values.label ?? clientRevision()}. The ${baseline.messages}-message chat has fewer than ${scrollBackCount.toLocaleString('en')} messages to scroll back through: its scroll ends at its top.`,
    `Per run, ${large.messages.toLocaleString('en')} messages: frame p95 ${perRun(large, (f) => f.p95.toFixed(1))} ms, frames over 50 ms ${perRun(large, (f) => String(f.over50))}; ${baseline.messages} messages: frame p95 ${perRun(baseline, (f) => f.p95.toFixed(1))} ms, frames over 50 ms ${perRun(baseline, (f) => String(f.over50))}. Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${cpu.length} cores: the frame figures move with what else the machine runs.`,
    machineLine(chromiumVersion, began),
  ];
  console.log(`\n${lines.join('\n')}`);
  if (values.write) {
    await writeBenchmarkSection(
      [
        HEADING,
        '',
        '`npm run bench:history` (`scripts/bench/history.ts`; `-- --write` replaces this section), ' +
          new Date().toISOString().slice(0, 10) +
          `. One DM seeded straight into a fresh SQLite store (\`scripts/seed.ts\`, buckets of ${BUCKET_SIZE.toLocaleString('en')}: ${large.messages.toLocaleString('en')} messages are ${Math.ceil(large.messages / BUCKET_SIZE)} full buckets and an empty head; the chat opens the head and the bucket before it), served by the real server; headless Chromium 1200×800 signed in by session cookie, navigating straight to the chat. **First open**: fresh browser context, empty IndexedDB. **Second open**: the same context loaded again, replicas in IndexedDB. Times run on the page's own clock from navigation start to the first frame after the latest bubble entered the DOM. **Scroll back**: after the second open, the list is scrolled up ${SCROLL_STEP_PX} px every animation frame (a fast, steady fling) until the message ${scrollBackCount.toLocaleString('en')} before the latest is in view, loading older buckets from the server on the way; frame times are the intervals between \`requestAnimationFrame\` callbacks in the page ("over 16.7 ms" counts frames more than 1 ms over one 60 Hz frame). The machine is shared with other work, so single runs vary.`,
        '',
        ...lines,
      ].join('\n'),
    );
    console.log('\nwrote docs/benchmarks.md');
  }
}

await main();
