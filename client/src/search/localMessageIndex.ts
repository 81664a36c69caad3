import { createSignal, type Accessor } from 'solid-js';
import * as Y from 'yjs';
import { applyUpdates } from '#schema/docs/applyUpdates';
import { readShownMessages } from '#schema/docs/bucket';
import { parseDocName, type DocName } from '#schema/docs/names';
import type { MessageId, RoomId, UserId } from '#schema/ids';
import { localDbPrefix } from '../sync/replica';
import { measureSearch } from './measureSearch';
import { indexBucket, type IndexedBucket } from './searchMessages';

/** y-indexeddb keeps a doc's updates in this object store, under increasing keys. */
const UPDATES_STORE = 'updates';
/** The User Timing entry of each read of IndexedDB. */
const INDEX_MEASURE = 'jeco:search:index';
/** While a read is under way, searches see what it has read so far at most this often. */
const PARTIAL_EVERY_MS = 150;
/** Databases read at once: enough to overlap IndexedDB's latency, few enough not to flood it. */
const READ_CONCURRENCY = 6;

interface LocalBucket {
  /** The highest update key read: a compaction or a new update adds a higher one. */
  lastKey: IDBValidKey;
  indexed: IndexedBucket;
  ids: Set<MessageId>;
}

/**
 * Opens an existing database; null when it does not exist (any more): a search must
 * never create one, say while sign-out is deleting this user's replicas.
 */
function openExisting(name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The newest update key of a replica, and its updates when that key is not `knownKey`. */
async function readUpdates(name: string, knownKey: IDBValidKey | undefined): Promise<{ lastKey: IDBValidKey; updates: Uint8Array[] | null } | null> {
  const db = await openExisting(name);
  if (!db) return null;
  try {
    if (!db.objectStoreNames.contains(UPDATES_STORE)) return null;
    const store = db.transaction(UPDATES_STORE, 'readonly').objectStore(UPDATES_STORE);
    const cursor = await requestResult(store.openKeyCursor(null, 'prev'));
    if (!cursor) return null;
    const lastKey = cursor.key;
    if (knownKey !== undefined && indexedDB.cmp(lastKey, knownKey) === 0) return { lastKey, updates: null };
    return { lastKey, updates: (await requestResult(store.getAll())) as Uint8Array[] };
  } finally {
    db.close();
  }
}

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The search index of one user in this browser, read straight from the local bucket
 * replicas in IndexedDB (`jeco:<userId>:room/<roomId>/<n>`), never from the server and
 * without opening a provider. {@link refresh} re-reads only the buckets whose stored
 * updates changed since the last read (one key look-up each otherwise), so calling it
 * often keeps the index current with what any tab, or the server through an open chat,
 * wrote to the replicas.
 */
export class LocalMessageIndex {
  /** Bumped whenever the indexed messages changed (during a long read too, every {@link PARTIAL_EVERY_MS}). */
  readonly version: Accessor<number>;
  private readonly setVersion: (update: (v: number) => number) => void;
  /** True until the first read of IndexedDB has finished: results may still be missing. */
  readonly loading: Accessor<boolean>;
  private readonly setLoading: (loading: boolean) => void;
  private readonly buckets = new Map<string, LocalBucket>();
  private running: Promise<boolean> | null = null;

  constructor(readonly userId: UserId) {
    const [version, setVersion] = createSignal(0);
    this.version = version;
    this.setVersion = setVersion;
    const [loading, setLoading] = createSignal(true);
    this.loading = loading;
    this.setLoading = setLoading;
  }

  /** The indexed buckets of every room. */
  all(): IndexedBucket[] {
    return [...this.buckets.values()].map((b) => b.indexed);
  }

  /** The rooms with at least one bucket on this device. */
  rooms(): Set<RoomId> {
    return new Set([...this.buckets.values()].map((b) => b.indexed.roomId));
  }

  /** The lowest bucket number of `roomId` on this device, or null when none is. */
  oldestBucket(roomId: RoomId): number | null {
    let oldest: number | null = null;
    for (const b of this.buckets.values()) {
      if (b.indexed.roomId === roomId && (oldest === null || b.indexed.bucket < oldest)) oldest = b.indexed.bucket;
    }
    return oldest;
  }

  /** How many messages are indexed. */
  size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.indexed.messages.length;
    return n;
  }

  /** Whether this device holds `messageId` of `roomId` (deleted messages count as held). */
  holds(roomId: RoomId, messageId: MessageId): boolean {
    for (const b of this.buckets.values()) if (b.indexed.roomId === roomId && b.ids.has(messageId)) return true;
    return false;
  }

  /** Brings the index up to date with IndexedDB; resolves true when anything changed. One read runs at a time. */
  refresh(): Promise<boolean> {
    this.running ??= this.read().finally(() => (this.running = null));
    return this.running;
  }

  private async read(): Promise<boolean> {
    const start = performance.now();
    let reread = 0;
    /** Main-thread time spent decoding the docs and folding their texts; the rest is IndexedDB. */
    let decodeMs = 0;
    let foldMs = 0;
    const prefix = localDbPrefix(this.userId);
    const names = (await indexedDB.databases()).flatMap(({ name }) => {
      if (!name?.startsWith(prefix)) return [];
      const ref = parseDocName(name.slice(prefix.length) as DocName);
      return ref?.kind === 'bucket' ? [{ name, roomId: ref.room.id, bucket: ref.bucket }] : [];
    });
    let changed = false;
    let shownAt = performance.now();
    const listed = new Set(names.map((n) => n.name));
    for (const name of this.buckets.keys()) {
      if (listed.has(name)) continue;
      this.buckets.delete(name);
      changed = true;
    }
    await eachLimited(names, READ_CONCURRENCY, async ({ name, roomId, bucket }) => {
      const known = this.buckets.get(name);
      const stored = await readUpdates(name, known?.lastKey);
      if (!stored?.updates) return;
      reread++;
      const doc = new Y.Doc();
      try {
        const decoding = performance.now();
        applyUpdates(doc, stored.updates);
        const shown = readShownMessages(doc);
        const folding = performance.now();
        const indexed = indexBucket(roomId, bucket, shown);
        decodeMs += folding - decoding;
        foldMs += performance.now() - folding;
        this.buckets.set(name, { lastKey: stored.lastKey, indexed, ids: new Set(shown.map((m) => m.id)) });
        changed = true;
        // A first read of many chats takes a while: let searches show what is in so far.
        if (performance.now() - shownAt > PARTIAL_EVERY_MS) {
          shownAt = performance.now();
          this.setVersion((v) => v + 1);
        }
      } finally {
        doc.destroy();
      }
    });
    if (changed) this.setVersion((v) => v + 1);
    this.setLoading(false);
    measureSearch(INDEX_MEASURE, start, { buckets: names.length, reread, messages: this.size(), decodeMs, foldMs });
    return changed;
  }
}

const indexes = new WeakMap<object, LocalMessageIndex>();

/** One index per session (keyed by its replica manager), shared by the chat list's search and each chat's. */
export function localMessageIndexFor(owner: object, userId: UserId): LocalMessageIndex {
  let index = indexes.get(owner);
  if (!index) indexes.set(owner, (index = new LocalMessageIndex(userId)));
  return index;
}
