import type { Store } from '../store/db/store';
import { expireMessages, expiryOf } from '#schema/docs/bucketPurge';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { headBucket } from '#schema/docs/roomHead';
import { parseRoomId, type MessageId, type RoomRef } from '#schema/ids';
import type { Membership } from './membership';
import { mergeForSnapshot } from '../store/rows';
import type { ServerWrites } from '../store/serverWrites';
import type { Projections } from './projections';
import { isStoreUnavailable } from './storeFailures';

export interface DisappearingPass {
  /** One pass over every chat with disappearing messages on; resolves when it is done (a pass already running is joined). */
  runOnce(): Promise<void>;
  /** Stops the timer; a pass already running finishes on its own. */
  stop(): void;
  /** Resolves when no pass is running. */
  idle(): Promise<void>;
}

export interface DisappearingDeps {
  store: Store;
  writes: ServerWrites;
  projections: Projections;
  membership: Membership;
  everyMs: number;
  log: (error: unknown, what: string) => void;
  now?: () => number;
}

/**
 * Disappearing messages: every `everyMs`, for each chat whose setting is on (the store's
 * `disappearing_rooms`, written by projections when someone sets it), removes the
 * messages sent since it was turned on that are now older than its period — from the
 * server's stored state and, as the change is broadcast like a deletion's purge, from
 * every replica that syncs. The removal is the delete-for-everyone purge's: each message
 * is replaced in place by an empty copy marked `expired` (`expireMessages`), then the
 * bucket is compacted so the log rows that carried the text fold into a GC'd snapshot,
 * then the chat lists and notifications that previewed one of them are rewritten and
 * every member's inbox compacted.
 *
 * Cost: a pass reads each such chat's buckets from its `checked_bucket` on; a bucket
 * before the head left with nothing that can still expire moves `checked_bucket` past
 * it, so a long history is read once, not on every pass. A pass that fails for a chat
 * (storage down) is logged and tried again on the next.
 */
export function startDisappearingPass(deps: DisappearingDeps): DisappearingPass {
  const now = deps.now ?? Date.now;
  let running: Promise<void> | null = null;

  async function expireIn(room: RoomRef, row: { afterMs: number; since: number; checkedBucket: number }): Promise<void> {
    const before = now() - row.afterMs;
    const head = await deps.writes.read(roomHeadDoc(room.id), headBucket);
    let checked = row.checkedBucket;
    const removed = new Set<MessageId>();
    for (let bucket = row.checkedBucket; bucket <= head; bucket++) {
      const name = bucketDoc(room.id, bucket);
      const { due, later } = await deps.writes.read(name, (doc) => expiryOf(doc, row.since, before));
      if (due.length > 0) {
        let replaced = 0;
        // Through the store's per-doc lock, re-checked there: two nodes never replace a message twice.
        await deps.writes.write(name, (doc) => {
          replaced = expireMessages(doc, expiryOf(doc, row.since, before).due);
        });
        if (replaced > 0) await deps.store.compact(name, mergeForSnapshot);
        for (const id of due) removed.add(id);
      }
      // The head bucket still takes new messages: it is read again next time.
      if (!later && bucket < head && checked === bucket) checked = bucket + 1;
    }
    if (checked > row.checkedBucket) await deps.store.setDisappearingChecked(room.id, checked);
    if (removed.size === 0) return;
    await deps.projections.forgetMessages(room, removed);
    // A preview newer messages overwrote is still in an inbox's log rows.
    for (const userId of await deps.membership.members(room)) {
      const inbox = inboxDoc(userId);
      if ((await deps.store.countUpdates(inbox)) > 0) await deps.store.compact(inbox, mergeForSnapshot);
    }
  }

  async function pass(): Promise<void> {
    let rows: Awaited<ReturnType<Store['listDisappearing']>>;
    try {
      rows = await deps.store.listDisappearing();
    } catch (error) {
      if (!isStoreUnavailable(error)) deps.log(error, 'disappearing messages: listing chats');
      return;
    }
    for (const row of rows) {
      const room = parseRoomId(row.roomId);
      if (!room) continue;
      try {
        await expireIn(room, row);
      } catch (error) {
        if (!isStoreUnavailable(error)) deps.log(error, `disappearing messages in ${row.roomId}`);
      }
    }
  }

  const runOnce = () => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void runOnce(), deps.everyMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer), idle: () => running ?? Promise.resolve() };
}
