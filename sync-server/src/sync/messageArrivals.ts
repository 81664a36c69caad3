import type * as Y from 'yjs';
import { BUCKET, itemsAddedTo } from '#schema/docs/bucket';

/** How long after its arrival a message counts as one a writer may not have seen yet. */
export const CONCURRENCY_WINDOW_MS = 5 * 60_000;
/** Arrival records kept per bucket; past this the oldest go (and count as old). */
const MAX_RECORDS = 4_096;

/**
 * When each recent item of a loaded bucket's `messages` arrived at this server: items
 * the doc held when tracking began (loaded from storage) have no record and count as
 * old. Records are per client, in clock order (a client's clocks only grow), so the
 * arrival of any clock is the record of the item that starts at or before it. Kept
 * by an observer in O(items added); records older than the window are dropped.
 */
export class MessageArrivals {
  private readonly byClient = new Map<number, { clocks: number[]; at: number[] }>();
  private records = 0;

  constructor(
    doc: Y.Doc,
    private readonly clock: () => number,
  ) {
    const messages = doc.getArray(BUCKET.messages);
    messages.observe((event) => this.record(event.transaction, messages));
  }

  private record(transaction: Y.Transaction, messages: Y.Array<unknown>): void {
    const now = this.clock();
    for (const { item, skip } of itemsAddedTo(transaction, messages)) this.add(item.id.client, item.id.clock + skip, now);
    if (this.records > MAX_RECORDS) this.prune(now, false);
    if (this.records > MAX_RECORDS) this.prune(now, true);
  }

  private add(client: number, clock: number, at: number): void {
    let list = this.byClient.get(client);
    if (!list) this.byClient.set(client, (list = { clocks: [], at: [] }));
    list.clocks.push(clock);
    list.at.push(at);
    this.records++;
  }

  /** Drops records past the window (all of a client's but its newest when `hard`, to stay under the cap). */
  private prune(now: number, hard: boolean): void {
    this.records = 0;
    for (const [client, list] of this.byClient) {
      let keep = list.at.findIndex((at) => now - at <= CONCURRENCY_WINDOW_MS);
      if (keep === -1) keep = list.at.length;
      if (hard) keep = Math.max(keep, list.at.length - 1);
      list.clocks.splice(0, keep);
      list.at.splice(0, keep);
      if (list.at.length === 0) this.byClient.delete(client);
      else this.records += list.at.length;
    }
  }

  /** When the item holding `client:clock` arrived here, or undefined when it is older than the records. */
  arrivedAt(client: number, clock: number): number | undefined {
    const list = this.byClient.get(client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.clocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list.clocks[mid]! <= clock) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found === -1 ? undefined : list.at[found];
  }
}

const trackers = new WeakMap<Y.Doc, MessageArrivals>();

/** The arrival records of a bucket doc, tracking from the first call on (what it holds then counts as old). */
export function messageArrivals(doc: Y.Doc, clock: () => number = Date.now): MessageArrivals {
  let tracker = trackers.get(doc);
  if (!tracker) trackers.set(doc, (tracker = new MessageArrivals(doc, clock)));
  return tracker;
}
