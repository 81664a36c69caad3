import * as Y from 'yjs';
import { BUCKET } from '#schema/docs/bucket';
import type { GuardInput } from './updateGuard';
import type { Change } from './updateChanges';
import { CONCURRENCY_WINDOW_MS, messageArrivals } from './messageArrivals';
import type { UpdateView } from './updateView';

// The guard's placement rule for a bucket's `messages`: append-only at the end, where concurrent sends of the last minutes land.

/**
 * Most items of `messages` an append may land behind (those after its left origin,
 * all of which must be recent): concurrent appends within the window are never this
 * many, and it bounds the scan.
 */
export const MAX_CONCURRENT_ITEMS = 256;

/**
 * Where a new item of `messages` lands: Yjs puts it after its left origin, among the
 * items that already follow that origin (ordered by client id), so a client appends at
 * the end only if nothing older follows its origin. Items that arrived within the
 * concurrency window may: two people sending at once each append after the message
 * they last saw. So: no right origin (that is an insert before something); a left
 * origin of the update itself (the item follows another new one); else every item
 * after the origin in the doc (all of them for no origin) arrived within the window,
 * at most {@link MAX_CONCURRENT_ITEMS} of them. A device that was offline appends only
 * after it has synced (the client's outbox), so its origin is the true end.
 */
export function appendsAtEnd(input: GuardInput, view: UpdateView, change: Change): string | null {
  if (change.insertsBefore) return 'inserted before an existing item';
  const origin = change.origin;
  if (origin && origin.clock >= view.state(origin.client)) return null;
  const clock = input.clock ?? Date.now;
  const arrivals = messageArrivals(input.doc, clock);
  const now = clock();
  let item: Y.Item | null;
  let from: number;
  if (origin) {
    const left = view.find(origin)!.struct as Y.Item;
    // The rest of a merged struct after the origin follows it too.
    if (origin.clock < left.id.clock + left.length - 1) {
      item = left;
      from = origin.clock + 1;
    } else {
      item = left.right;
      from = item?.id.clock ?? 0;
    }
  } else {
    item = input.doc.getArray(BUCKET.messages)._start;
    from = item?.id.clock ?? 0;
  }
  for (let scanned = 0; item !== null; item = item.right, from = item?.id.clock ?? 0) {
    if (++scanned > MAX_CONCURRENT_ITEMS) return `more than ${MAX_CONCURRENT_ITEMS} items after its origin`;
    const at = arrivals.arrivedAt(item.id.client, from) ?? createdAtOf(item, from - item.id.clock);
    if (at === undefined || now - at > CONCURRENCY_WINDOW_MS) return `lands before ${item.id.client}:${from}`;
  }
  return null;
}

/**
 * For an item loaded from the store (no arrival record: the server restarted, or the
 * bucket was unloaded), the `createdAt` of its message at `index`. Its author set it,
 * bounded by the server's clock when it was accepted, so it is never later than its
 * arrival by more than the allowed skew: honest messages of the last minutes count as
 * recent after a restart (a device sending as the server went down is not refused),
 * and nobody can make someone else's old message look recent.
 */
function createdAtOf(item: Y.Item, index: number): number | undefined {
  if (!(item.content instanceof Y.ContentAny)) return undefined;
  const createdAt = (item.content.getContent()[index] as { createdAt?: unknown } | undefined)?.createdAt;
  return typeof createdAt === 'number' ? createdAt : undefined;
}
