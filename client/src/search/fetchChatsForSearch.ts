import type { ChatEntry } from '#schema/docs/inbox';
import { bucketDoc, roomHeadDoc, type DocName } from '#schema/docs/names';
import { headBucket } from '#schema/docs/roomHead';
import type { MessageId, RoomId } from '#schema/ids';
import type { Replica } from '../sync/replica';
import type { ReplicaManager } from '../sync/replicaManager';
import type { LocalMessageIndex } from './localMessageIndex';

/** Chats synced at once: each is a few small docs over the shared socket. */
const CONCURRENCY = 3;
/** A doc that has not synced by then is left for a later search. */
const SYNC_TIMEOUT_MS = 10_000;
/** The buckets synced per chat: the head and the one before, as when the chat is opened. */
const RECENT_BUCKETS = 2;

/**
 * The chats whose newest message (from the server-kept chat index) this device does
 * not hold: never opened here, or opened before that message came.
 */
export function chatsMissingLatest(chats: readonly ChatEntry[], index: LocalMessageIndex): ChatEntry[] {
  return chats.filter((chat) => chat.lastMessage && !index.holds(chat.roomId, chat.lastMessage.id as MessageId));
}

/** Resolves true once `replica` has synced with the server, false if it has not within {@link SYNC_TIMEOUT_MS}. */
async function syncedInTime(replica: Replica): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SYNC_TIMEOUT_MS)));
  try {
    return await Promise.race([replica.whenSynced.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens `name` until it has synced (or timed out); closing it waits for its writes to IndexedDB. */
async function syncOnce(manager: ReplicaManager, name: DocName): Promise<void> {
  try {
    await syncedInTime(manager.open(name));
  } finally {
    manager.release(name);
  }
}

/**
 * Brings the recent buckets of `chats` onto this device, so that search finds their
 * latest messages. Runs only when a person starts searching, online: start-up never
 * pays for it, and a chat costs its head and two buckets once, not on every search.
 * Calls `progress` after each chat tried (synced, or given up on after a timeout); stops
 * early, leaving the rest untried, when the connection drops.
 */
export async function fetchChatsForSearch(manager: ReplicaManager, chats: readonly ChatEntry[], progress: (done: RoomId) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < chats.length) {
      const chat = chats[next++]!;
      if (manager.status() !== 'connected') return;
      const headName = roomHeadDoc(chat.roomId);
      const head = manager.open(headName);
      try {
        if (await syncedInTime(head)) {
          const n = headBucket(head.doc);
          await Promise.all(Array.from({ length: Math.min(RECENT_BUCKETS, n + 1) }, (_, k) => syncOnce(manager, bucketDoc(chat.roomId, n - k))));
        }
      } finally {
        manager.release(headName);
      }
      progress(chat.roomId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, chats.length) }, worker));
}
