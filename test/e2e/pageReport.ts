import type { BrowserContext } from 'playwright-core';
import type { RunnerTestCase } from 'vitest';
import { openPages } from './chatPage';

/** How much of a page's visible text a failed test prints. */
const TEXT_CHARS = 1_500;

/**
 * When `task` has failed, what each open page shows: its address, its visible text, its
 * latest console lines, and a screenshot under `test-results/e2e/failed/`. A failure
 * seen only in a full run can then be read from the run's output. Pages already closed
 * are gone from the report, so a file that closes its browsers after each test closes
 * them with {@link closeAfterReport}.
 */
export async function reportOpenPages(task: Readonly<RunnerTestCase>): Promise<void> {
  if (task.result?.state !== 'fail') return;
  const slug = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const [i, chat] of [...openPages].entries()) {
    if (chat.page.isClosed()) continue;
    const text = await Promise.race([
      chat.page.evaluate(() => document.body.textContent ?? '').catch((error: unknown) => `(no text: ${String(error)})`),
      new Promise<string>((resolve) => setTimeout(() => resolve('(the page did not answer within 5 s)'), 5_000)),
    ]);
    await chat.page.screenshot({ path: `test-results/e2e/failed/${slug}-${i}.png`, timeout: 5_000 }).catch(() => undefined);
    console.error([`── page ${i}: ${chat.page.url()}`, `visible text: ${text.slice(0, TEXT_CHARS).replace(/\s+/g, ' ')}`, 'console:', ...chat.consoleTail.map((line) => `  ${line}`)].join('\n'));
  }
}

/** Closes a test's browsers (emptying `contexts`), after reporting their pages if the test failed. */
export async function closeAfterReport(task: Readonly<RunnerTestCase>, contexts: BrowserContext[]): Promise<void> {
  await reportOpenPages(task);
  await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
}
