import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseReceiptAdvance } from '#schema/docs/receipts';
import type { Replica } from '../sync/replica';
import { reportReceipt } from './receiptReporter';

/** The two things the reporter uses of a replica: whether it can send now, and its re-syncs. */
function fakeHead(): { head: Replica; sent: string[]; online: (on: boolean) => void; resync: () => void } {
  const sent: string[] = [];
  let synced = true;
  const listeners: (() => void)[] = [];
  const head = {
    onSynced: (listener: () => void) => {
      listeners.push(listener);
      return () => undefined;
    },
    sendStateless: (payload: string) => {
      if (!synced) return false;
      sent.push(payload);
      return true;
    },
  } as unknown as Replica;
  return {
    head,
    sent,
    online: (on) => (synced = on),
    resync: () => listeners.forEach((l) => l()),
  };
}

const at = (index: number) => ({ bucket: 0, index });
const reports = (sent: string[]) => sent.map((p) => parseReceiptAdvance(p)).map((a) => `${a?.kind} ${a?.to.index}`);

describe('receipt reporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the furthest position per kind, at most once per window, never a step back', () => {
    const { head, sent } = fakeHead();
    for (let i = 0; i < 50; i++) reportReceipt(head, 'read', at(i));
    reportReceipt(head, 'delivered', at(60));
    reportReceipt(head, 'read', at(3));
    vi.advanceTimersByTime(0);
    expect(reports(sent)).toEqual(['delivered 60', 'read 49']);
    for (let i = 50; i < 100; i++) {
      reportReceipt(head, 'read', at(i));
      vi.advanceTimersByTime(10);
    }
    // 500 ms of advances every 10 ms: two more reports, not fifty.
    vi.advanceTimersByTime(1_000);
    expect(reports(sent).slice(2)).toEqual(['read 79', 'read 99']);
  });

  it('holds reports while the head is not synced and sends them, and the last ones again, after a sync', () => {
    const { head, sent, online, resync } = fakeHead();
    reportReceipt(head, 'read', at(1));
    vi.advanceTimersByTime(0);
    expect(reports(sent)).toEqual(['read 1']);
    online(false);
    reportReceipt(head, 'delivered', at(5));
    vi.advanceTimersByTime(1_000);
    expect(reports(sent)).toEqual(['read 1']);
    online(true);
    resync();
    vi.advanceTimersByTime(1_000);
    // The server may have lost what it had not saved: after a reconnect both go again.
    expect(reports(sent).slice(1).sort()).toEqual(['delivered 5', 'read 1']);
  });
});
