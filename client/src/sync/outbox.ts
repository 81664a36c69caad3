/**
 * Everything this user has not yet sent, in one place: the docs holding edits the
 * server has not acknowledged ({@link UnsentDocs}, any doc) and the messages waiting
 * for their first tick or for their bucket to catch up ({@link PendingMessages}).
 * Both live in localStorage, so a reload or another tab sees them.
 */

import { createSignal } from 'solid-js';
import type * as Y from 'yjs';
import { appendMessage, readMessages } from '#schema/docs/bucket';
import type { Message } from '#schema/docs/message';
import { parseDocName, roomOfDoc, type DocName } from '#schema/docs/names';
import type { MessageId, RoomId, UserId } from '#schema/ids';
import { onLocalChange, readLocal, updateLocal } from '../storage/localCache';
import { openSingleStoreDb } from '../storage/singleStoreDb';
import { localDbPrefix } from './replica';

/**
 * Docs with local edits the server has not acknowledged, kept across reloads (and
 * shared by tabs) so that they are reopened and sent even if never opened again.
 */
export class UnsentDocs {
  private readonly key: string;

  constructor(userId: UserId) {
    this.key = `unsent:${userId}`;
  }

  mark(name: DocName, unsent: boolean): void {
    updateLocal<DocName[]>(this.key, (list) => {
      const rest = (list ?? []).filter((n) => n !== name);
      return unsent ? [...rest, name] : rest;
    });
  }

  list(): DocName[] {
    return readLocal<DocName[]>(this.key) ?? [];
  }
}

/** What the chat list needs to show a waiting message as the chat's preview. */
export interface PendingMessage {
  id: MessageId;
  text: string;
  at: number;
  /**
   * The whole message while it waits in the outbox, not yet in the bucket: written
   * while the bucket was not in sync with the server. The server lets a message land
   * only at the end of the bucket as it stands, so it is appended only once the bucket
   * has caught up (see {@link PendingMessages.flush}).
   */
  queued?: Message;
}

type PendingByDoc = Record<string, PendingMessage[]>;

/** Web Lock names are per origin; the prefix keeps ours apart from anything else the page might lock. */
const LOCK_PREFIX = 'jeco:outbox:';

const MARKS = 'appended';
/** How long a mark is kept: a tab reads the outbox stale for moments, not days. */
const MARK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Which outbox messages a tab has appended to their bucket, in IndexedDB. The outbox
 * itself is in localStorage, which Chromium carries to a tab in another process a
 * moment after it is written: a tab taking the flush lock just after another let go of
 * it can still read the messages as queued while its replica has not yet received the
 * other tab's appends, and would append them a second time. The server then refuses
 * every update of that bucket (a duplicate message id), so nothing more goes out from it.
 * An IndexedDB transaction committed in one tab is seen by every transaction that starts
 * after it, in any tab. The database is named `jeco:<userId>:outbox`, so signing out
 * wipes it with the user's replicas.
 */
class AppendedMarks {
  constructor(private readonly name: string) {}

  /**
   * In one transaction: finds which of `ids` no tab has appended yet, calls `append` with
   * them (synchronously, inside the transaction) and marks the ids it returns as
   * appended. Resolves once that is committed. Without IndexedDB (a browser that refuses
   * it) `append` gets every id: the lock and the replica's own contents still keep most
   * races out.
   */
  async appendOnce(ids: readonly MessageId[], append: (fresh: MessageId[]) => MessageId[]): Promise<void> {
    let db: IDBDatabase;
    try {
      db = await openSingleStoreDb(this.name, MARKS, 'id');
    } catch {
      append([...ids]);
      return;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(MARKS, 'readwrite');
        tx.oncomplete = () => resolve();
        tx.onerror = tx.onabort = () => reject(tx.error);
        const store = tx.objectStore(MARKS);
        // Few marks (a day of messages written offline): all read at once, the old ones dropped.
        const all = store.getAll();
        all.onsuccess = () => {
          const now = Date.now();
          const marked = new Set<string>();
          for (const { id, at } of all.result as { id: string; at: number }[]) {
            if (at < now - MARK_TTL_MS) store.delete(id);
            else marked.add(id);
          }
          for (const id of append(ids.filter((id) => !marked.has(id)))) store.put({ id, at: now });
        };
      });
    } finally {
      db.close();
    }
  }
}

/**
 * This user's messages the server has not acknowledged yet (the clock icon), by
 * bucket doc. A message is "sent" (one tick) only once the server stored it, which
 * the replica learns from its provider's acknowledgements; those reach the tab that
 * wrote the message, or whichever tab later reopens the doc. So the marks live in
 * localStorage: they survive a reload, and every tab shows the same clock or tick.
 *
 * It is also the outbox: a message written while its bucket is not in sync waits here
 * whole (`queued`), shown with its clock, until a tab whose replica of the bucket has
 * caught up appends it. Tabs take a Web Lock to flush, and the entry stops being
 * queued in the same step as the append, so no two tabs append one message (the
 * server would refuse the second as a duplicate id).
 */
export class PendingMessages {
  private readonly key: string;
  private readonly byDoc: () => PendingByDoc;
  private readonly setByDoc: (value: PendingByDoc) => void;
  private readonly appended: AppendedMarks;
  readonly stop: () => void;

  constructor(userId: UserId) {
    this.key = `pending:${userId}`;
    this.appended = new AppendedMarks(`${localDbPrefix(userId)}outbox`);
    const [byDoc, setByDoc] = createSignal<PendingByDoc>(readLocal<PendingByDoc>(this.key) ?? {});
    this.byDoc = byDoc;
    this.setByDoc = setByDoc;
    this.stop = onLocalChange(this.key, () => setByDoc(readLocal<PendingByDoc>(this.key) ?? {}));
  }

  private update(change: (current: PendingByDoc) => PendingByDoc): void {
    this.setByDoc(updateLocal<PendingByDoc>(this.key, (current) => change(current ?? {})));
  }

  /** Marks a message just written to `bucket` as waiting for the server. */
  add(bucket: DocName, message: Pick<Message, 'id' | 'text' | 'createdAt'>): void {
    const entry: PendingMessage = { id: message.id, text: message.text, at: message.createdAt };
    this.update((current) => ({ ...current, [bucket]: [...(current[bucket] ?? []), entry] }));
  }

  /**
   * Sends a message just written to `bucket`: straight into `doc` when its replica is in
   * sync and nothing waits in the outbox before it; else into the outbox, behind what
   * waits, so messages land in the order they were written (the flush that follows a
   * sync runs a moment after the replica says it is in sync).
   */
  send(bucket: DocName, doc: Y.Doc, message: Message, inSync: () => boolean): void {
    if (inSync() && !this.stillQueued(bucket)) {
      this.add(bucket, message);
      appendMessage(doc, message);
    } else {
      this.queue(bucket, message);
    }
  }

  /** Keeps a message for `bucket` in the outbox, to be appended once the bucket is in sync. */
  queue(bucket: DocName, message: Message): void {
    const entry: PendingMessage = { id: message.id, text: message.text, at: message.createdAt, queued: message };
    this.update((current) => ({ ...current, [bucket]: [...(current[bucket] ?? []), entry] }));
    this.queuedListener(bucket);
  }

  private queuedListener: (bucket: DocName) => void = () => undefined;

  /** Hears of each message this tab puts in the outbox (to keep its bucket open until it is out). */
  whenQueued(listener: (bucket: DocName) => void): void {
    this.queuedListener = listener;
  }

  /** The messages waiting in the outbox for `bucket`, oldest first. Reactive. */
  queuedIn(bucket: DocName): Message[] {
    return (this.byDoc()[bucket] ?? []).flatMap((m) => (m.queued ? [m.queued] : []));
  }

  /** Whether `bucket` has messages in the outbox as stored now (another tab may have just sent them). */
  stillQueued(bucket: DocName): boolean {
    return (readLocal<PendingByDoc>(this.key)?.[bucket] ?? []).some((m) => m.queued);
  }

  /** Buckets with messages in the outbox (to open in the background after a reload). */
  queuedDocs(): DocName[] {
    return Object.entries(this.byDoc())
      .filter(([, list]) => list.some((m) => m.queued))
      .map(([name]) => name as DocName);
  }

  /**
   * Appends the outbox of `bucket` to `doc`, whose replica has just caught up with the
   * server (`inSync` is asked again once the lock is held). Under the user's Web Lock
   * the entries are read afresh, and a message another tab appended meanwhile is not
   * appended twice, even when this tab still reads it as queued ({@link AppendedMarks});
   * one already in the doc only stops being queued.
   */
  async flush(bucket: DocName, doc: Y.Doc, inSync: () => boolean): Promise<void> {
    if (!this.stillQueued(bucket)) return;
    const run = async () => {
      if (!inSync()) return;
      const current = readLocal<PendingByDoc>(this.key) ?? {};
      const queued = (current[bucket] ?? []).flatMap((m) => (m.queued ? [m.queued] : []));
      if (queued.length === 0) return;
      await this.appended.appendOnce(
        queued.map((m) => m.id),
        (fresh) => {
          // The marks' database opened meanwhile: the replica may have lost its server.
          if (!inSync()) return [];
          const present = new Set(readMessages(doc).map((m) => m.id));
          const appending = queued.filter((m) => fresh.includes(m.id) && !present.has(m.id));
          doc.transact(() => {
            for (const message of appending) appendMessage(doc, message);
          });
          // In the same step as the append: the server's acknowledgement (`settle`) must
          // not find them still queued. Only these: another tab may have queued more meanwhile.
          this.unqueue(bucket, new Set(queued.map((m) => m.id)));
          return appending.map((m) => m.id);
        },
      );
    };
    // Without Web Locks (very old browsers) a tab flushes alone; the marks still dedupe most races.
    if (typeof navigator !== 'undefined' && navigator.locks) await navigator.locks.request(`${LOCK_PREFIX}${this.key}`, run);
    else await run();
  }

  /** The entries `ids` of `bucket` are in a replica (appended by this tab or another): no longer queued, still pending until settled. */
  private unqueue(bucket: DocName, ids: ReadonlySet<MessageId>): void {
    this.update((latest) => ({
      ...latest,
      [bucket]: (latest[bucket] ?? []).map((entry) => {
        if (!ids.has(entry.id)) return entry;
        const { queued: _sent, ...rest } = entry;
        return rest;
      }),
    }));
  }

  /**
   * The server acknowledged every edit this tab held for `bucket`: the pending
   * messages the tab's copy contains are stored. Others (written in another tab a
   * moment ago and not yet arrived here) stay pending.
   */
  settle(bucket: DocName, doc: Y.Doc): void {
    const ids = this.byDoc()[bucket];
    if (!ids) return;
    const present = new Set(readMessages(doc).map((m) => m.id));
    this.update((current) => {
      // Still queued means not appended yet (whatever another tab's doc may hold): stays.
      const rest = (current[bucket] ?? []).filter((m) => m.queued || !present.has(m.id));
      const { [bucket]: _settled, ...others } = current;
      return rest.length > 0 ? { ...others, [bucket]: rest } : others;
    });
  }

  /** Whether this message still waits for the server. Reactive. */
  has(id: MessageId): boolean {
    return Object.values(this.byDoc()).some((list) => list.some((m) => m.id === id));
  }

  /** How many messages wait to go out, across all chats. Reactive. */
  count(): number {
    return Object.values(this.byDoc()).reduce((sum, list) => sum + list.length, 0);
  }

  /**
   * The newest waiting message of a room, which the chat list shows as its preview:
   * the server-kept index learns of it only once it is sent. Reactive.
   */
  latestIn(roomId: RoomId): PendingMessage | undefined {
    let latest: PendingMessage | undefined;
    for (const [name, list] of Object.entries(this.byDoc())) {
      const ref = parseDocName(name);
      if (!ref || roomOfDoc(ref)?.id !== roomId) continue;
      for (const m of list) if (!latest || m.at >= latest.at) latest = m;
    }
    return latest;
  }
}
