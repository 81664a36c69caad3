/**
 * What honest use of the real app costs against the per-user sync budgets: one person
 * with several tabs of Jeco in real Chromium, each opening a chat and scrolling far back
 * through its history, typing and sending, one tab searching (which fetches chats in the
 * background), and then every tab reloading at once (the reconnect storm). The server
 * counts, for that user, docs open at once and every message, byte and awareness update
 * their doc connections send, and says how large a burst each budget would need at its
 * default sustained rate never to refuse them; the defaults must sit well above.
 *
 *   npm run bench:budgets                  # print the table
 *   npm run bench:budgets -- --write       # also replace this section of docs/benchmarks.md
 *   options: --tabs 4 --chats 40 --messages 1500 --bucket-size 100 --scroll-back 8
 *
 * No baseline run is needed here: the figures are counts, compared with the limits
 * configured in the same run (`loadConfig` defaults). Any refusal (a budget overdrawn,
 * a doc over the cap) fails the run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Extension } from '@hocuspocus/server';
import { chromium, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '#schema/api/auth';
import type { UserId } from '#schema/ids';
import { loadConfig } from '../../sync-server/src/config';
import type { SyncContext } from '../../sync-server/src/sync/context';
import { UserBudgets } from '../../sync-server/src/sync/userBudgets';
import { seed } from '../seed';
import { buildClientIfStale, CHROMIUM_ARGS, CHROMIUM_PATH, clientRevision, machineLine, serve, signIn } from './benchServer';
import { writeBenchmarkSection } from './benchmarksDoc';

const HEADING = '## Sync budgets against honest use';
const STEP_TIMEOUT_MS = 60_000;
/** Hocuspocus' awareness message type. */
const AWARENESS = 1;

const { values: args } = parseArgs({
  options: {
    tabs: { type: 'string', default: '4' },
    chats: { type: 'string', default: '40' },
    messages: { type: 'string', default: '1500' },
    'bucket-size': { type: 'string', default: '100' },
    'scroll-back': { type: 'string', default: '8' },
    write: { type: 'boolean', default: false },
  },
});
const TABS = Number(args.tabs);
const CHATS = Number(args.chats);
const MESSAGES = Number(args.messages);
const BUCKET_SIZE = Number(args['bucket-size']);
const SCROLL_BACK = Number(args['scroll-back']);

/**
 * The smallest burst a token bucket refilled at `perSecond` needs so that none of
 * `events` (time ms, cost) is refused: the deepest the bucket is ever drawn down.
 */
function neededBurst(events: Array<[number, number]>, perSecond: number): number {
  let deficit = 0;
  let needed = 0;
  let last = events[0]?.[0] ?? 0;
  for (const [at, cost] of events) {
    deficit = Math.max(0, deficit - ((at - last) / 1000) * perSecond) + cost;
    last = at;
    needed = Math.max(needed, deficit);
  }
  return Math.ceil(needed);
}

/** Most events (or cost) in any one-second window. */
function peakPerSecond(events: Array<[number, number]>): number {
  let peak = 0;
  let sum = 0;
  let start = 0;
  for (let end = 0; end < events.length; end++) {
    sum += events[end]![1];
    while (events[end]![0] - events[start]![0] >= 1000) sum -= events[start++]![1];
    peak = Math.max(peak, sum);
  }
  return peak;
}

/** Counts what `userId`'s doc connections open and send, from inside the server. */
function meter(userId: UserId) {
  const messages: Array<[number, number]> = [];
  const bytes: Array<[number, number]> = [];
  const awareness: Array<[number, number]> = [];
  let open = 0;
  let peakOpen = 0;
  const isTheUser = (context: unknown) => (context as Partial<SyncContext> | undefined)?.user?.id === userId;
  const extension: Extension = {
    extensionName: 'bench-meter',
    async connected({ context }) {
      if (!isTheUser(context)) return;
      peakOpen = Math.max(peakOpen, ++open);
      // The open itself counted as a message (in auth, where the meter cannot see the user yet).
      messages.push([performance.now(), 1]);
    },
    async onDisconnect({ context }) {
      if (isTheUser(context)) open--;
    },
    async beforeHandleMessage({ context, update }) {
      if (!isTheUser(context)) return;
      const now = performance.now();
      messages.push([now, 1]);
      bytes.push([now, update.byteLength]);
      // The frame starts with the doc name (a length-prefixed string), then the message type.
      const nameLength = update[0]!;
      if (nameLength < 0x80 && update[1 + nameLength] === AWARENESS) awareness.push([now, 1]);
    },
  };
  return { extension, messages, bytes, awareness, peakOpen: () => peakOpen };
}

async function untilIdle(page: Page, ms: number): Promise<void> {
  await page.waitForTimeout(ms);
}

async function main(): Promise<void> {
  const began = Date.now();
  await buildClientIfStale();
  const config = loadConfig({});
  const refusals = { docs: 0, overdrafts: new Map<string, number>() };
  // Every verdict of the real budgets goes through these two methods: count the refusals.
  const openDoc = UserBudgets.prototype.openDoc;
  UserBudgets.prototype.openDoc = function (this: UserBudgets, userId) {
    const slot = openDoc.call(this, userId);
    if (!slot) refusals.docs++;
    return slot;
  };
  const takeMessage = UserBudgets.prototype.takeMessage;
  UserBudgets.prototype.takeMessage = function (this: UserBudgets, userId, size, isAwareness) {
    const verdict = takeMessage.call(this, userId, size, isAwareness);
    if (verdict) refusals.overdrafts.set(verdict, (refusals.overdrafts.get(verdict) ?? 0) + 1);
    return verdict;
  };

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jeco-bench-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const seeded = await seed({ dataDir, users: Math.max(2, CHATS), chats: CHATS, messages: MESSAGES, bucketSize: BUCKET_SIZE });
    const server = await serve({ dataDir, bucketSize: BUCKET_SIZE });
    const meterOf = meter(seeded.userId);
    // Hocuspocus reads its extension list at every hook call: the meter joins the running server.
    server.hocuspocus.configuration.extensions.push(meterOf.extension);
    try {
      const token = await signIn(server, seeded);
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
      await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
      const tabs: Page[] = [];
      for (let t = 0; t < TABS; t++) {
        const page = await context.newPage();
        page.setDefaultTimeout(STEP_TIMEOUT_MS);
        await page.goto(`${server.url}/`);
        await page.getByTestId('chat-list-item').first().waitFor();
        tabs.push(page);
      }
      // Each tab opens its own chat and reads far back, types and sends.
      await Promise.all(
        tabs.map(async (page, t) => {
          await page.locator(`[data-testid="chat-list-item"][data-room="${seeded.chats[t % seeded.chats.length]!.roomId}"]`).click();
          await page.getByTestId('chat-view').waitFor();
          await untilIdle(page, 1000);
          for (let i = 0; i < SCROLL_BACK; i++) {
            await page.getByTestId('messages').evaluate((el) => el.scrollTo({ top: 0 }));
            await untilIdle(page, 400);
          }
          await page.getByTestId('composer').pressSequentially('on my way, see you there', { delay: 60 });
          await page.getByTestId('composer').press('Enter');
        }),
      );
      // One tab searches every chat: the first search online fetches chats not on the device.
      await tabs[0]!.getByTestId('chat-search-input').fill('message');
      await untilIdle(tabs[0]!, 8000);
      // Every tab reloads at once: all their docs reconnect and catch up together.
      await Promise.all(tabs.map((page) => page.reload()));
      await Promise.all(tabs.map((page) => page.getByTestId('chat-list-item').first().waitFor()));
      await untilIdle(tabs[0]!, 8000);
      await context.close();
    } finally {
      await server.close();
    }

    const rows = [
      ['docs open at once', String(meterOf.peakOpen()), '–', `cap ${config.syncDocsOpen}`],
      [
        'messages',
        `${peakPerSecond(meterOf.messages)}/s peak, ${meterOf.messages.length} in all`,
        String(neededBurst(meterOf.messages, config.syncUpdatesPerSec)),
        `${config.syncUpdatesPerSec}/s, burst ${config.syncBurst}`,
      ],
      [
        'bytes',
        `${Math.round(peakPerSecond(meterOf.bytes) / 1024)} KiB/s peak`,
        `${Math.ceil(neededBurst(meterOf.bytes, config.syncBytesPerSec) / 1024)} KiB`,
        `${config.syncBytesPerSec / 1024} KiB/s, burst ${config.syncBytesBurst / 1024 / 1024} MiB`,
      ],
      [
        'awareness updates',
        `${peakPerSecond(meterOf.awareness)}/s peak, ${meterOf.awareness.length} in all`,
        String(neededBurst(meterOf.awareness, config.awarenessPerSec)),
        `${config.awarenessPerSec}/s, burst ${config.awarenessBurst}`,
      ],
    ];
    const refused = refusals.docs + [...refusals.overdrafts.values()].reduce((a, b) => a + b, 0);
    const section = [
      HEADING,
      '',
      `One person, ${TABS} tabs of the app in Chromium, ${CHATS} chats of ${MESSAGES} messages (buckets of ${BUCKET_SIZE}): each tab opens a chat,`,
      `scrolls back ${SCROLL_BACK} times, types and sends; one tab searches (fetching chats in the background); then every tab reloads at once.`,
      '"Burst needed" is the smallest burst that, at the default sustained rate, would have refused nothing (`npm run bench:budgets`).',
      '',
      '| budget (per user) | honest use, measured | burst needed | default |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Refusals during the run: ${refused}${refused ? ` (${refusals.docs} docs, ${[...refusals.overdrafts].map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}.`,
      '',
      machineLine(browser.version(), began, `, ${clientRevision()}`),
    ].join('\n');
    console.log(`\n${section}\n`);
    if (args.write) await writeBenchmarkSection(section);
    if (refused) process.exitCode = 1;
  } finally {
    await browser.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
