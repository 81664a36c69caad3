import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendMessage, messageCount } from '#schema/docs/bucket';
import type { Message } from '#schema/docs/message';
import { bucketDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket, initDm } from '#schema/docs/roomHead';
import { dmRoomId, newMessageId, type MessageId } from '#schema/ids';
import { registerUser, type TestUser } from '../helpers/api';
import { connectClient, type OpenDoc, type TestClient } from '../helpers/client';
import { startServer, type TestServer } from '../helpers/server';
import { CHROMIUM_PATH, hasChromium } from '../helpers/services';
import { waitFor } from '../helpers/waitFor';
import { CHROMIUM_ARGS, poll } from './browser';
import { ChatPage } from './chatPage';

/** Small buckets, so the history spans many of them: 600 messages make 30 full buckets. */
const BUCKET_SIZE = 20;
const HISTORY = 600;
/** Messages a day; the history covers the last six days, the newest hundred today. */
const PER_DAY = 100;
/** Authors take turns in runs of this many messages. */
const RUN = 5;
/** What `registerUser` signs people up with. */
const API_PASSWORD = 'correct horse battery';
/** The newest message quotes this one, which sits in the very first bucket. */
const QUOTED = 3;
const textOf = (n: number) => `Message ${n}`;

/** The rows of the message list that show at least partly inside its viewport, top to bottom. */
function visibleRows(page: ChatPage): Promise<Array<{ id: string; text: string; top: number; day: string | null }>> {
  return page.page.getByTestId('messages').evaluate((scroller) => {
    const view = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll<HTMLElement>('[data-message-id]')]
      .map((row) => ({ row, rect: row.getBoundingClientRect() }))
      .filter(({ rect }) => rect.bottom > view.top + 1 && rect.top < view.bottom - 1)
      .sort((a, b) => a.rect.top - b.rect.top)
      .map(({ row, rect }) => ({
        id: row.dataset.messageId!,
        text: row.querySelector('[data-testid="message-text"]')?.textContent ?? '',
        top: rect.top - view.top,
        // The day separator a message starts, if any, sits just above its row.
        day: row.previousElementSibling?.matches('.day-separator') ? row.previousElementSibling.textContent : null,
      }));
  });
}

const visibleTexts = async (page: ChatPage) => (await visibleRows(page)).map((r) => r.text);
const renderedRows = (page: ChatPage) => page.page.locator('[data-message-id]').count();

/** Where a message's row is now (px from the top of the list's viewport), or null when it is not rendered. */
function rowTop(page: ChatPage, id: string): Promise<number | null> {
  return page.page.getByTestId('messages').evaluate((el, id) => {
    const row = el.querySelector(`[data-message-id="${CSS.escape(id)}"]`);
    return row ? row.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  }, id);
}

/** Scrolls the list as a reader dragging the scroll bar would (the app tells it from its own scrolling by the scroll events alone). */
async function scrollTo(page: ChatPage, where: 'top' | 'middle'): Promise<void> {
  await page.page.getByTestId('messages').evaluate(async (el, where) => {
    el.scrollTop = where === 'top' ? 0 : (el.scrollHeight - el.clientHeight) / 2;
    // The list renders the rows for the new position on the scroll event, which comes with the next frame.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, where);
}

function dayStart(daysAgo: number): number {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysAgo);
  return d.getTime();
}

describe.skipIf(!(await hasChromium()))('reading a long history', () => {
  let server: TestServer;
  let browser: Browser;
  let alice: ChatPage;
  let bob: ChatPage;
  let aliceUser: TestUser;
  let bobUser: TestUser;
  const ids: MessageId[] = [];
  /** The day separator each day's first message shows, as read in the whole history. */
  const days = new Map<string, string>();

  /**
   * Writes the history as the two people's own clients would: each run of messages in
   * one update to the bucket the room's head names, the other side waiting to receive
   * it before writing its own, so the agreed order is the numbering.
   */
  async function writeHistory(a: TestClient, b: TestClient): Promise<void> {
    const room = dmRoomId(aliceUser.id, bobUser.id);
    const head = a.open(roomHeadDoc(room));
    await head.synced;
    initDm(head.doc, aliceUser.id, dayStart(7));
    const days = HISTORY / PER_DAY;
    const messages: Message[] = Array.from({ length: HISTORY }, (_, i) => {
      const id = newMessageId();
      ids.push(id);
      const author = Math.floor(i / RUN) % 2 === 0 ? aliceUser : bobUser;
      const at = dayStart(days - 1 - Math.floor(i / PER_DAY)) + (i % PER_DAY) * 1000;
      return { id, authorId: author.id, createdAt: at, text: textOf(i + 1), ...(i === HISTORY - 1 ? { replyTo: ids[QUOTED - 1]! } : {}) };
    });
    for (let bucket = 0; bucket * BUCKET_SIZE < HISTORY; bucket++) {
      const sides: Array<[TestClient, OpenDoc]> = [a, b].map((client) => [client, client.open(bucketDoc(room, bucket))]);
      await Promise.all(sides.map(([, open]) => open.synced));
      for (let from = bucket * BUCKET_SIZE; from < (bucket + 1) * BUCKET_SIZE; from += RUN) {
        const run = messages.slice(from, from + RUN);
        const [writer, doc] = sides[run[0]!.authorId === aliceUser.id ? 0 : 1]!;
        doc.doc.transact(() => run.forEach((m) => appendMessage(doc.doc, m)));
        await writer.settled();
        await waitFor(() => sides.every(([, open]) => messageCount(open.doc) === from + RUN - bucket * BUCKET_SIZE), { what: 'both sides hold the run' });
      }
      await waitFor(() => headBucket(head.doc) === bucket + 1, { what: `the head past bucket ${bucket}` });
    }
  }

  beforeAll(async () => {
    server = await startServer({ bucketSize: BUCKET_SIZE });
    aliceUser = await registerUser(server.url, 'Alice', { displayName: 'Alice Liddell' });
    bobUser = await registerUser(server.url, 'Bob', { displayName: 'Bob Builder' });
    const a = connectClient(server.wsUrl, aliceUser.token);
    const b = connectClient(server.wsUrl, bobUser.token);
    await writeHistory(a, b);
    a.close();
    b.close();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    alice = await ChatPage.open(await browser.newContext({ viewport: { width: 1100, height: 760 } }), server.url);
    bob = await ChatPage.open(await browser.newContext({ viewport: { width: 1100, height: 760 } }), server.url);
    await alice.signIn(aliceUser.username, API_PASSWORD);
    await bob.signIn(bobUser.username, API_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
  });

  test('opening the chat shows the latest messages, with only the rows near the view in the DOM', async () => {
    await bob.openChat('Alice Liddell');
    await alice.openChat('Bob Builder');
    await expect.poll(async () => (await visibleTexts(bob)).at(-1), poll).toBe(textOf(HISTORY));
    expect(await visibleTexts(bob)).toContain(textOf(HISTORY - 10));
    expect(await renderedRows(bob)).toBeLessThan(60);
    // Landmarks: the list is a labelled region a keyboard can scroll.
    expect(await bob.page.getByRole('region', { name: 'Messages' }).getAttribute('tabindex')).toBe('0');
    expect(await bob.page.getByTestId('jump-to-latest').count()).toBe(0);
    await bob.screenshot('history-open');
  });

  test('scrolling to the top loads older buckets in order, and the message at the top stays put while they load', async () => {
    const scrollTop = () => bob.page.getByTestId('messages').evaluate((el) => el.scrollTop);
    const numberOf = (text: string) => Number(text.replace('Message ', ''));
    for (let round = 0; ; round++) {
      expect(round, 'every bucket loads as the reader reaches the top').toBeLessThan(HISTORY / BUCKET_SIZE + 5);
      // A slow network: the reader is at the top, reading, before the next bucket comes in.
      await bob.goOffline();
      await scrollTo(bob, 'top');
      await bob.page.waitForTimeout(300);
      const [top] = await visibleRows(bob);
      if (top!.text === textOf(1)) break;
      expect(await bob.page.getByTestId('loading-older').textContent()).toBe('Loading older messages…');
      await bob.goOnline();
      // Older rows arriving above push the scroll offset down, so the reader's rows stay where they are.
      await expect.poll(scrollTop, poll).toBeGreaterThan(0);
      await bob.page.waitForTimeout(300);
      expect(Math.abs((await rowTop(bob, top!.id))! - top!.top), `"${top!.text}" stays where the reader saw it`).toBeLessThanOrEqual(1);
      const rendered = await bob.page.locator('[data-message-id] [data-testid="message-text"]').allTextContents();
      const numbers = rendered.map(numberOf);
      expect(numbers, 'the rows around the view are consecutive messages, oldest first').toEqual(numbers.map((_, i) => numbers[0]! + i));
      expect(numbers[0]).toBeLessThan(numberOf(top!.text));
    }
    await bob.goOnline();
    expect(await bob.page.getByTestId('loading-older').count()).toBe(0);
    expect(await renderedRows(bob)).toBeLessThan(120);
    await bob.screenshot('history-top');
  });

  test('the whole history reads in order from top to bottom, a separator above each day', async () => {
    const seen = new Map<string, string>();
    const order: string[] = [];
    await scrollTo(bob, 'top');
    for (let step = 0; step < 400; step++) {
      for (const row of await visibleRows(bob)) {
        if (!seen.has(row.id)) order.push(row.id);
        seen.set(row.id, row.text);
        if (row.day) days.set(row.text, row.day);
      }
      const atEnd = await bob.page.getByTestId('messages').evaluate((el) => {
        const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
        el.scrollTop += el.clientHeight * 0.8;
        return end;
      });
      if (atEnd) break;
      await bob.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    }
    expect(order.map((id) => seen.get(id))).toEqual(Array.from({ length: HISTORY }, (_, i) => textOf(i + 1)));
    expect(await renderedRows(bob)).toBeLessThan(120);
    const firsts = Array.from({ length: HISTORY / PER_DAY }, (_, d) => textOf(d * PER_DAY + 1));
    expect([...days.keys()]).toEqual(firsts);
    const labels = firsts.map((text) => days.get(text)!);
    expect(labels.slice(-2)).toEqual(['Yesterday', 'Today']);
    // Older days are named by their date, each once.
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels.slice(0, -2)) expect(label).toMatch(/\d/);
  });

  test('scrolled up, what the other person sends leaves the view alone and is counted on the jump-to-latest button', async () => {
    await scrollTo(bob, 'middle');
    // Far from any separator, the day of the top row floats over the list while scrolling.
    const [middle] = await visibleRows(bob);
    const firstOfDay = textOf(Math.floor((Number(middle!.text.replace('Message ', '')) - 1) / PER_DAY) * PER_DAY + 1);
    expect(await bob.page.getByTestId('floating-day').textContent()).toBe(days.get(firstOfDay));
    const jump = bob.page.getByRole('button', { name: /^Jump to latest messages/ });
    await jump.waitFor();
    await bob.page.waitForTimeout(300);
    const [top] = await visibleRows(bob);

    for (const text of ['Are you there?', 'Dinner at 8', 'Bring the wine']) await alice.send(text);
    await expect.poll(() => bob.page.getByTestId('jump-to-latest-count').textContent(), poll).toBe('3');
    expect(await jump.getAttribute('aria-label')).toBe('Jump to latest messages, 3 new');
    expect((await visibleRows(bob))[0]!.id).toBe(top!.id);
    expect(Math.abs((await rowTop(bob, top!.id))! - top!.top)).toBeLessThanOrEqual(1);
    await bob.screenshot('history-jump-to-latest');

    await jump.click();
    await expect.poll(async () => (await visibleTexts(bob)).at(-1), poll).toBe('Bring the wine');
    await expect.poll(() => bob.page.getByTestId('jump-to-latest').count(), poll).toBe(0);
  });

  test('at the bottom, new messages stay in view; sending one’s own while scrolled up goes to the bottom', async () => {
    await alice.send('Also some cheese');
    await expect.poll(async () => (await visibleTexts(bob)).at(-1), poll).toBe('Also some cheese');
    expect(await bob.page.getByTestId('jump-to-latest').count()).toBe(0);

    await scrollTo(bob, 'middle');
    await bob.page.getByTestId('jump-to-latest').waitFor();
    await bob.send('On my way');
    await expect.poll(async () => (await visibleTexts(bob)).at(-1), poll).toBe('On my way');
    await expect.poll(() => bob.page.getByTestId('jump-to-latest').count(), poll).toBe(0);
  });

  test('clicking a quote jumps to its far-away original and highlights it', async () => {
    const reply = bob.messageRow(textOf(HISTORY));
    await expect.poll(() => reply.getByTestId('quote-text').textContent(), poll).toBe(textOf(QUOTED));
    expect(await rowTop(bob, ids[QUOTED - 1]!)).toBeNull();
    await reply.getByTestId('quote').click();
    await expect.poll(async () => (await visibleTexts(bob)).includes(textOf(QUOTED)), poll).toBe(true);
    await expect.poll(() => bob.messageRow(textOf(QUOTED)).getAttribute('class'), poll).toContain('highlight');
    await bob.screenshot('history-quote-jump');
    expect(await renderedRows(bob)).toBeLessThan(120);
  });
});
