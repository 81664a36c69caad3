import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { ProjectionFlush, ProjectionMark, ProjectionWatermark, Store } from '../store/db/store';
import { messageCount, messagesSince, onMessagesAdded, onReactionsChanged, type IndexedMessage } from '#schema/docs/bucket';
import { entryAfterMessages, newChatEntry, withoutRoomId, type PlacedMessage } from '#schema/docs/chatIndex';
import { readChatEntry, setChatEntry } from '#schema/docs/inbox';
import type { Message } from '#schema/docs/message';
import { bucketDoc, inboxDoc, parseDocName, roomHeadDoc } from '#schema/docs/names';
import { addNotifications, applyReactionNotifications, type Notification } from '#schema/docs/notifications';
import { readMeta } from '#schema/docs/roomHead';
import type { MessageId, RoomId, RoomRef, UserId } from '#schema/ids';
import { messagePushes, readersOf } from '../push/messagePushes';
import type { PushSender } from '../push/pushSender';
import { reactionPush } from '../push/reactionPushes';
import { applyLoggedServerWrite, type ServerWrites } from '../store/serverWrites';
import type { Membership } from './membership';
import { messageAuthors } from './messageAuthors';
import { messageNotifications } from './messageNotifications';
import { fromClient } from './origins';
import { PendingReactions } from './pendingReactions';
import { reactionNotifications } from './reactionNotifications';
import type { SerialQueue } from './serialQueue';
import { rollOver } from './systemLineWriter';
import { MAX_CONCURRENT_ITEMS } from './messagePlacement';

/** Inboxes a projection writes before it lets the event loop run other work. */
const INBOXES_PER_TURN = 50;
/** A room whose last projection started this recently is busy: its next one waits the longer window. */
const BUSY_WITHIN_MS = 1000;
/** The longest a busy room's window grows with its members: a chat list two seconds behind a busy large group still reads as live. */
const MAX_BUSY_WINDOW_MS = 2000;

/**
 * The chat-index projection of new messages (design §5b): new messages and reactions in
 * a bucket mark their room dirty; after `delayMs` (for a room projected within the last
 * second `busyDelayMs`, or longer in a large room: {@link projectionWindow}) each dirty
 * room is projected once for
 * everything that arrived — every member's chat index entry (`entryAfterMessages`:
 * last message, count, order), their mentions, replies and reactions, and the room
 * head moved to a new bucket once this one is full — then the pushes.
 */
export class MessageProjection {
  /**
   * Messages that new replies quote, per room, seen as the replies arrived: the next
   * projection looks up their authors (opening older buckets if need be) before its
   * transaction, so "replied to your message" needs no read inside it.
   */
  private readonly pendingReplies = new Map<RoomId, Set<MessageId>>();
  /** Reactions changed by clients since the room's last projection (`pendingReactions.ts`). */
  private readonly reactions = new PendingReactions();
  /**
   * Where projecting a bucket with no watermark row starts: its length when this process
   * loaded it. Every bucket written since watermarks exist gets a row at its first
   * projection, so a bucket without one holds history from before them, which the chat
   * index already counts (upgrading must not count it twice) — unless the bucket is
   * marked, i.e. a crash came before its first projection: then from 0.
   */
  private readonly baselines = new Map<string, number>();
  private readonly recovering = new Set<string>();
  /** Rooms with new messages waiting for their projection, with the buckets that got them and when it is due. */
  private readonly dirty = new Map<RoomId, { room: RoomRef; buckets: Set<number>; due: number }>();
  /** Rooms whose message projection is queued or running. */
  private readonly projecting = new Set<RoomId>();
  /** When each room's last projection started, and how many members it wrote for, kept for {@link BUSY_WITHIN_MS}. */
  private readonly started = new Map<RoomId, { at: number; members: number }>();
  /** When {@link started} was last rid of rooms no longer busy. */
  private quietForgottenAt = 0;
  /** When the oldest change still waiting for its projection arrived (null: none waits). */
  private waitingSince: number | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** When {@link flushTimer} fires. */
  private flushAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly deps: {
      store: Store;
      writes: ServerWrites;
      membership: Membership;
      /** The projections' per-room queue: one projection of a room at a time, of any kind. */
      queue: SerialQueue;
      bucketSize: number;
      /** How long new messages gather before their chat-index projection runs (coalescing per inbox). */
      delayMs: number;
      /** The same for a busy room (one projected within the last second), where a longer window saves more and shows less. */
      busyDelayMs: number;
      /** How much longer a busy room's window is per member, up to {@link MAX_BUSY_WINDOW_MS}. */
      busyMsPerMember: number;
      instance: () => Hocuspocus;
      /** Web Push for new messages, announced once their projection committed. */
      push?: PushSender;
      /** Tells the other nodes a projection of the room has started (`projectionNotices.ts`). */
      announce?: (roomId: RoomId, members: number) => void;
    },
  ) {}

  /** Rooms whose message projection waits (not yet queued), and since when the oldest change waits. */
  waiting(queued: number): { rooms: number; lagMs: number } {
    const rooms = this.dirty.size + queued;
    if (rooms === 0) this.waitingSince = null;
    return { rooms, lagMs: this.waitingSince === null ? 0 : Date.now() - this.waitingSince };
  }

  /**
   * After a restart: every room the log marked (messages appended, their projection not
   * committed — a crash in between) is projected again from its buckets and watermarks.
   */
  async recover(): Promise<void> {
    for (const mark of await this.deps.store.listProjectionMarks()) {
      this.recovering.add(bucketDoc(mark.roomId, mark.bucket));
      this.reactions.rescan(bucketDoc(mark.roomId, mark.bucket));
      this.marked(mark);
    }
  }

  /** An append marked a room's bucket in the store: a flush will cover it (and clear the mark), even if it added no message. */
  marked(mark: ProjectionMark): void {
    const ref = parseDocName(bucketDoc(mark.roomId, mark.bucket));
    if (ref?.kind === 'bucket') this.markDirty(ref.room, mark.bucket);
  }

  private markDirty(room: RoomRef, bucket: number): void {
    const now = Date.now();
    const entry = this.dirty.get(room.id) ?? { room, buckets: new Set<number>(), due: now + this.windowOf(room.id, now) };
    entry.buckets.add(bucket);
    this.dirty.set(room.id, entry);
    this.waitingSince ??= now;
    this.armFor(entry.due);
  }

  /** How long a room's new messages gather (see {@link projectionWindow}). */
  private windowOf(roomId: RoomId, now: number): number {
    const last = this.started.get(roomId);
    const busyFor = last !== undefined && now - last.at < BUSY_WITHIN_MS ? last.members : null;
    return projectionWindow(this.deps, busyFor);
  }

  /** Makes the flush timer fire by `due`. */
  private armFor(due: number): void {
    if (this.flushTimer && this.flushAt <= due) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushAt = due;
    this.flushTimer = setTimeout(() => this.flush(), Math.max(0, due - Date.now()));
  }

  /**
   * Starts the projection of every dirty room that is due (each room's in its queue, one
   * at a time per room). A room whose last projection has not finished stays dirty until
   * it has: what arrived meanwhile goes into one projection a window after it. A
   * projection that takes longer than the window (a large group's, on a busy server)
   * would otherwise have a new one queued behind it every window, each writing every
   * member's inbox again for the few messages since, and the queue would only grow.
   */
  private flush(): void {
    this.flushTimer = null;
    this.flushAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    this.forgetQuietRooms(now);
    for (const [roomId, entry] of this.dirty) {
      if (this.projecting.has(roomId)) continue;
      if (entry.due > now) {
        this.armFor(entry.due);
        continue;
      }
      this.dirty.delete(roomId);
      this.projecting.add(roomId);
      // Its member count is known once it has read them; until then, the last one's.
      this.started.set(roomId, { at: now, members: this.started.get(roomId)?.members ?? 0 });
      void this.deps.queue
        .run(roomId, () => this.project(entry.room, [...entry.buckets]))
        .finally(() => {
          this.projecting.delete(roomId);
          const waiting = this.dirty.get(roomId);
          if (!waiting) return;
          const ended = Date.now();
          waiting.due = Math.max(waiting.due, ended + this.windowOf(roomId, ended));
          this.armFor(waiting.due);
        });
    }
  }

  /**
   * Another node has started projecting this room (`projectionNotices.ts`): it counts as
   * this node's own for the room's window, so what waits here goes a window later, in
   * one projection with what arrives meanwhile, not at once after the other node's.
   * Nothing is dropped: the room stays dirty, and the watermarks make a projection of
   * what the other one covered add nothing.
   */
  projectedElsewhere(roomId: RoomId, members: number): void {
    const now = Date.now();
    // Every room projected anywhere lands here, and a node with nothing of its own to flush would keep them all.
    this.forgetQuietRooms(now);
    this.started.set(roomId, { at: now, members });
    const waiting = this.dirty.get(roomId);
    if (waiting) waiting.due = Math.max(waiting.due, now + this.windowOf(roomId, now));
  }

  /** Drops the rooms no longer busy from {@link started}, at most once per {@link BUSY_WITHIN_MS} (their age is checked where it counts: `windowOf`). */
  private forgetQuietRooms(now: number): void {
    if (now - this.quietForgottenAt < BUSY_WITHIN_MS) return;
    this.quietForgottenAt = now;
    for (const [roomId, last] of this.started) if (now - last.at >= BUSY_WITHIN_MS) this.started.delete(roomId);
  }

  /** Whether a room's projection waits for its window or for the room's running one. */
  get pending(): boolean {
    return this.dirty.size > 0;
  }

  /** Queues what is waiting for its window now. */
  flushNow(): void {
    if (!this.flushTimer) return;
    clearTimeout(this.flushTimer);
    const now = Date.now();
    for (const entry of this.dirty.values()) entry.due = Math.min(entry.due, now);
    this.flush();
  }

  /** A bucket loaded: where its projection starts without a watermark, and its new messages and reactions watched. */
  loaded(documentName: string, doc: Y.Doc, room: RoomRef, bucket: number): void {
    this.baselines.set(documentName, this.recovering.delete(documentName) ? 0 : messageCount(doc));
    onMessagesAdded(
      doc,
      (added, origin) => {
        if (!fromClient(origin)) return;
        for (const message of added) {
          if (!message.replyTo) continue;
          const quoted = this.pendingReplies.get(room.id) ?? new Set<MessageId>();
          quoted.add(message.replyTo);
          this.pendingReplies.set(room.id, quoted);
        }
        this.markDirty(room, bucket);
      },
      fromClient,
    );
    onReactionsChanged(doc, (keys, origin) => {
      if (!fromClient(origin)) return;
      this.reactions.note(room.id, bucket, keys);
      this.markDirty(room, bucket);
    });
  }

  unloaded(documentName: string): void {
    this.baselines.delete(documentName);
  }

  /**
   * One write per member inbox however many messages arrived since the last one, all
   * of the room's inbox updates and its buckets' watermarks in one transaction, off the
   * acknowledgement path. A watermark says how much of a bucket is projected, so a
   * repeated projection (after a crash, or from two nodes) adds each message once.
   */
  private async project(room: RoomRef, buckets: number[]): Promise<void> {
    const { writes, store } = this.deps;
    const newest = Math.max(...buckets);
    const docs = new Map<number, Y.Doc>();
    const connections = await Promise.all(buckets.map((b) => writes.open(bucketDoc(room.id, b))));
    try {
      buckets.forEach((b, i) => docs.set(b, connections[i]!.document!));
      await rollOver(writes, this.deps.bucketSize, room, newest, messageCount(docs.get(newest)!));
      // Read before the projection's transaction: on Postgres it holds a pooled connection, and nothing inside may wait for another.
      const { members, cards: users } = await this.deps.membership.membersWithCards(room);
      const started = this.started.get(room.id);
      if (started) started.members = members.length;
      this.deps.announce?.(room.id, members.length);
      const title = room.kind === 'group' ? await writes.read(roomHeadDoc(room.id), (head) => readMeta(head)?.name ?? '') : '';
      const quoted = await this.quotedAuthors(room.id, docs);
      // Replies projected without waiting here (after a restart) find what they quote in the open buckets.
      const authorOf = (id: MessageId): UserId | undefined => quoted.get(id) ?? [...docs.values()].map((doc) => messageAuthors(doc).get(id)).find(Boolean);
      const nameOf = (id: UserId) => users.get(id)?.displayName;
      const inboxes = await Promise.all(members.map((userId) => writes.open(inboxDoc(userId))));
      let projected: Message[] = [];
      // The reaction items each member's inbox got, for their pushes once the write committed (a retried write replaces them).
      let reactedItems = new Map<UserId, Notification[]>();
      // The count written into each member's chat entry (a retried write replaces them).
      let counts = new Map<UserId, number>();
      const reactionKeysOf = this.reactions.take(room.id, docs);
      try {
        try {
          await store.projectRoom(room.id, async (watermarks, load) => {
            // Other nodes may have appended to these docs: the truth is the log (design §5b).
            // The buckets and every member's inbox in one read.
            await writes.catchUpIn(load, [...[...docs].map(([b, doc]) => [bucketDoc(room.id, b), doc] as const), ...inboxes.map((c, i) => [inboxDoc(members[i]!), c.document!] as const)]);
            const flush: ProjectionFlush = { updates: [], watermarks: [], clear: [] };
            const added: PlacedMessage[] = [];
            const candidates: PlacedMessage[] = [];
            for (const [b, doc] of docs) {
              const mark: ProjectionMark = { roomId: room.id, bucket: b };
              const at: ProjectionWatermark = watermarks.find((w) => w.bucket === b) ?? { ...mark, length: this.baselines.get(bucketDoc(room.id, b)) ?? 0, messages: 0 };
              // Concurrent appends may land among the last items already projected (the guard
              // allows it within its window), shifting one of those past the watermark: the
              // newest message is looked for among them too, so the preview is never an older one.
              // One read serves both: the newest of those from `from`, the new messages from the watermark.
              const since = messagesSince(doc, Math.max(0, at.length - MAX_CONCURRENT_ITEMS), at.length);
              const place = ({ message, index }: IndexedMessage): PlacedMessage => ({ message, position: { bucket: b, index } });
              const fresh = since.fresh.map(place);
              candidates.push(...(since.newestBefore ? [place(since.newestBefore)] : []), ...fresh);
              const counted = fresh.filter(({ message }) => !message.event).length;
              added.push(...fresh);
              if (since.length > at.length) flush.watermarks.push({ ...mark, length: since.length, messages: at.messages + counted });
              // An append committed but not yet applied here would be missed: keep its mark, and look again shortly.
              if (writes.holdsLog(bucketDoc(room.id, b))) flush.clear.push(mark);
              else this.markDirty(room, b);
            }
            const now = Date.now();
            const memberSet = new Set(members);
            const reacted = reactionNotifications(room.id, docs, reactionKeysOf, memberSet, users, now);
            reactedItems = new Map([...reacted].map(([userId, { set }]) => [userId, set]));
            counts = new Map();
            if (added.length === 0 && reacted.size === 0) return flush;
            projected = added.map(({ message }) => message);
            const latest = added.length > 0 ? candidates.reduce((a, b) => (b.message.createdAt >= a.message.createdAt ? b : a)) : null;
            for (const [i, userId] of members.entries()) {
              // A large group's inboxes take a while (about 0.1 ms each): other work (the
              // next message's acknowledgement and broadcast) gets a turn in between.
              if (i > 0 && i % INBOXES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
              const theirReactions = reacted.get(userId);
              if (added.length === 0 && !theirReactions) continue;
              const update = applyLoggedServerWrite(inboxes[i]!.document!, (inbox) => {
                // Reactions to this member's messages, in the same one write per inbox.
                if (theirReactions) {
                  const roomTitle = readChatEntry(inbox, room.id)?.title ?? title;
                  applyReactionNotifications(
                    inbox,
                    theirReactions.set.map((item) => ({ ...item, roomTitle })),
                    theirReactions.removed,
                  );
                }
                if (!latest) return;
                const entry = readChatEntry(inbox, room.id) ?? newChatEntry(room, userId, nameOf, title, now);
                // Mentions of this member and replies to their messages, in the same write as the chat entry.
                addNotifications(inbox, messageNotifications(room.id, added, userId, memberSet, authorOf, users, entry.title, now));
                const next = entryAfterMessages(withoutRoomId(entry), userId, added, latest, nameOf, now);
                setChatEntry(inbox, room.id, next);
                counts.set(userId, next.count);
              });
              if (update) flush.updates.push({ docName: inboxDoc(userId), update });
            }
            return flush;
          });
        } catch (error) {
          // Not projected: the reactions wait for the next try (the bucket's mark stays in the store too).
          this.reactions.restore(room.id, reactionKeysOf);
          throw error;
        }
        // After the commit: a projection that failed is run again, and announces then.
        const push = this.deps.push;
        if (push && (projected.length > 0 || reactedItems.size > 0)) {
          const reading = readersOf(this.deps.instance(), room.id, newest);
          if (projected.length > 0) {
            push.notify(
              messagePushes({ room, messages: projected, members, inboxes: inboxes.map((c) => c.document!), counts, users, groupTitle: title, reading, seen: (userId) => push.seen(userId, room.id) }),
            );
          }
          const now = Date.now();
          const reactionNotes = [...reactedItems].flatMap(([userId, items]) => {
            const inbox = inboxes[members.indexOf(userId)]?.document;
            const chatTitle = title || users.get(items[0]?.actorId as UserId)?.displayName || '';
            const note = inbox && reactionPush({ user: users.get(userId), roomId: room.id, title: chatTitle, items, inbox, reading: reading.has(userId), now });
            return note ? [note] : [];
          });
          if (reactionNotes.length > 0) push.notify(reactionNotes);
        }
      } finally {
        await Promise.all(inboxes.map((c) => c.disconnect({ unloadImmediately: false })));
      }
    } finally {
      await Promise.all(connections.map((c) => c.disconnect({ unloadImmediately: false })));
    }
  }

  /**
   * The authors of the messages that replies waiting for this projection quote: from the
   * open buckets' author indexes, else from older buckets (read before the projection's
   * transaction). After a restart the waiting set is gone, and only the open buckets
   * are searched.
   */
  private async quotedAuthors(roomId: RoomId, docs: ReadonlyMap<number, Y.Doc>): Promise<Map<MessageId, UserId>> {
    const quoted = this.pendingReplies.get(roomId);
    this.pendingReplies.delete(roomId);
    const out = new Map<MessageId, UserId>();
    const look = (doc: Y.Doc, ids: Iterable<MessageId>) => {
      const authors = messageAuthors(doc);
      for (const id of ids) {
        const author = authors.get(id);
        if (author) out.set(id, author);
      }
    };
    for (const doc of docs.values()) look(doc, quoted ?? []);
    let older = Math.min(...docs.keys()) - 1;
    // A reply quotes a recent message almost always: at most two buckets back are opened.
    for (let tries = 0; quoted && older >= 0 && tries < 2 && [...quoted].some((id) => !out.has(id)); tries++, older--) {
      const missing = [...quoted].filter((id) => !out.has(id));
      await this.deps.writes.read(bucketDoc(roomId, older), (doc) => look(doc, missing));
    }
    return out;
  }
}

/**
 * How long a room's new messages gather before its projection: `delayMs` for a quiet
 * room; for a busy one (`busyMembers`: its member count, a room projected within the
 * last second) `busyDelayMs`, whose chat list preview changes every moment anyway, or
 * longer in a large room, `busyMsPerMember` a member up to {@link MAX_BUSY_WINDOW_MS}.
 * Each projection writes every member's inbox, so a busy room's cost grows with its
 * members times its projections a second: the longer window keeps a busy room's inbox
 * writes near a thousand a second (with the default 1 ms), where a busy 1,000-member
 * group's 500 ms window wrote two thousand.
 */
export function projectionWindow(windows: { delayMs: number; busyDelayMs: number; busyMsPerMember: number }, busyMembers: number | null): number {
  if (busyMembers === null) return windows.delayMs;
  const bySize = Math.min(MAX_BUSY_WINDOW_MS, busyMembers * windows.busyMsPerMember);
  return Math.max(windows.delayMs, windows.busyDelayMs, bySize);
}
