import { isTransactionOrigin, type Extension, type Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { syncRefusal } from '../../../schema/api/errors';
import type { ProjectionFlush, ProjectionMark, ProjectionWatermark, RoomMemberRow, Store, UserRow } from '../store/db/store';
import { appendMessage, indexOfMessage, messageCount, onMessagesAdded, onMessageTextChanged, onReactionsChanged, reactionKeys, readMessagesFrom } from '../../../schema/docs/bucket';
import { onReadMarks, readChatEntry, setChatEntry, type ChatEntry } from '../../../schema/docs/inbox';
import { addNotifications, applyReactionNotifications, notificationKey, rewriteNotificationPreviews, type Notification, type NotificationKind } from '../../../schema/docs/notifications';
import { previewOf, previewTextOf, type Message, type SystemEvent } from '../../../schema/docs/message';
import { bucketDoc, inboxDoc, parseDocName, roomHeadDoc, roomOfDoc } from '../../../schema/docs/names';
import type { Position } from '../../../schema/docs/receipts';
import { advanceHead, headBucket, onHeadChanged, readDisappearing, readMembers, readMeta, setMember } from '../../../schema/docs/roomHead';
import { describeSystemLine, systemEventsOf } from '../../../schema/docs/systemLines';
import { newMessageId, type MessageId, type RoomId, type RoomRef, type UserId } from '../../../schema/ids';
import { applyLoggedServerWrite, closeConnections, type ServerWriteContext, type SyncContext } from './context';
import { catchUp, CAUGHT_UP, type LogPositions } from './logPositions';
import { membershipPush } from '../push/membershipPushes';
import { reactionPush } from '../push/reactionPushes';
import { messagePushes, readersOf } from '../push/messagePushes';
import type { PushNote } from '../push/pushSender';
import type { PushSender } from '../push/pushSender';
import type { Membership } from './membership';
import { SerialQueue } from './serialQueue';
import { messageAuthors } from './messageAuthors';
import { reactionNotifications } from './reactionNotifications';
import { MAX_CONCURRENT_ITEMS } from './updateGuard';

const SERVER: ServerWriteContext = { server: true };

/**
 * What the server derives from what clients write:
 * - room heads → the rooms and room_members tables (membership decisions are SQL
 *   lookups), chat index entries for every member, and removed members' live
 *   connections closed at once; a group's changes also become system lines ("Alice
 *   added Bob") appended to its head bucket, written by the server with the member
 *   who made the change as their author, and shown as the chat list's preview; people
 *   who left or were removed keep the chat in their list, marked `former`;
 * - new messages in a bucket → every member's chat index (last message, count,
 *   order), and the room head moved to a new bucket once this one is full;
 * - an edit or a deletion for everyone of a chat's last message → its preview.
 * Only changes that arrived from a client connection of this node are projected, so
 * with several nodes each change is projected once.
 */
export class Projections {
  private readonly queue: SerialQueue;
  /** Group changes seen from clients that the room's next projection turns into system lines. */
  private readonly pendingLines = new Map<RoomId, { actor: UserId; events: SystemEvent[] }[]>();
  /**
   * Messages that new replies quote, per room, seen as the replies arrived: the next
   * projection looks up their authors (opening older buckets if need be) before its
   * transaction, so "replied to your message" needs no read inside it.
   */
  private readonly pendingReplies = new Map<RoomId, Set<MessageId>>();
  /**
   * Reactions changed by clients since the room's last projection, per bucket (keys
   * `<messageId>:<userId>`). The change's own append already marked the bucket in the
   * store (design §5b: no write of its own); the next projection turns them into items
   * of the reacted-to authors' lists, in its per-inbox batch. After a crash the set is
   * gone, so a recovered bucket's reactions are all looked at again (`rescanReactions`).
   */
  private readonly pendingReactions = new Map<RoomId, Map<number, Set<string>>>();
  private readonly rescanReactions = new Set<string>();

  constructor(
    private readonly deps: {
      store: Store;
      membership: Membership;
      bucketSize: number;
      /** How long new messages gather before their chat-index projection runs (coalescing per inbox). */
      delayMs: number;
      positions: LogPositions;
      instance: () => Hocuspocus;
      log: (error: unknown, what: string) => void;
      /** Web Push for new messages, announced once their projection committed. */
      push?: PushSender;
    },
  ) {
    this.queue = new SerialQueue((error, key) => deps.log(error, `projection ${key}`));
  }

  /**
   * Where projecting a bucket with no watermark row starts: its length when this process
   * loaded it. Every bucket written since watermarks exist gets a row at its first
   * projection, so a bucket without one holds history from before them, which the chat
   * index already counts (upgrading must not count it twice) — unless the bucket is
   * marked, i.e. a crash came before its first projection: then from 0.
   */
  private readonly baselines = new Map<string, number>();
  private readonly recovering = new Set<string>();

  /** Rooms with new messages waiting for the next flush, with the buckets that got them. */
  private dirty = new Map<RoomId, { room: RoomRef; buckets: Set<number> }>();
  /** When the oldest change still waiting for its projection arrived (null: none waits). */
  private waitingSince: number | null = null;

  /**
   * For operators (`/metrics`): rooms whose projection waits or runs, and how long the
   * oldest waiting change has waited — a growing lag means chat lists fall behind.
   */
  backlog(): { rooms: number; lagMs: number } {
    const rooms = this.dirty.size + this.queue.size;
    if (rooms === 0) this.waitingSince = null;
    return { rooms, lagMs: this.waitingSince === null ? 0 : Date.now() - this.waitingSince };
  }
  private flushTimer: NodeJS.Timeout | null = null;

  /**
   * After a restart: every room the log marked (messages appended, their projection not
   * committed — a crash in between) is projected again from its buckets and watermarks.
   */
  async recover(): Promise<void> {
    for (const mark of await this.deps.store.listProjectionMarks()) {
      this.recovering.add(bucketDoc(mark.roomId, mark.bucket));
      this.rescanReactions.add(bucketDoc(mark.roomId, mark.bucket));
      this.marked(mark);
    }
  }

  /** An append marked a room's bucket in the store: a flush will cover it (and clear the mark), even if it added no message. */
  marked(mark: ProjectionMark): void {
    const ref = parseDocName(bucketDoc(mark.roomId, mark.bucket));
    if (ref?.kind === 'bucket') this.markDirty(ref.room, mark.bucket);
  }

  private markDirty(room: RoomRef, bucket: number): void {
    const entry = this.dirty.get(room.id) ?? { room, buckets: new Set<number>() };
    entry.buckets.add(bucket);
    this.dirty.set(room.id, entry);
    this.waitingSince ??= Date.now();
    this.flushTimer ??= setTimeout(() => this.flush(), this.deps.delayMs);
  }

  /** Starts the projection of every dirty room (each room's in its queue, one at a time per room). */
  private flush(): void {
    this.flushTimer = null;
    const dirty = this.dirty;
    this.dirty = new Map();
    for (const { room, buckets } of dirty.values()) void this.queue.run(room.id, () => this.projectMessages(room, [...buckets]));
  }

  extension(): Extension {
    return {
      extensionName: 'projections',
      priority: 50,
      afterUnloadDocument: async ({ documentName }) => {
        this.baselines.delete(documentName);
      },
      afterLoadDocument: async ({ documentName, document }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind === 'bucket') {
          this.baselines.set(documentName, this.recovering.delete(documentName) ? 0 : messageCount(document));
          this.watchBucket(document, ref.room, ref.bucket);
        }
        if (ref?.kind === 'roomHead') this.watchHead(document, ref.room);
        // A read mark moved on any device (or node): a push about what it now covers is withdrawn.
        const push = this.deps.push;
        if (ref?.kind === 'inbox' && push) onReadMarks(document, (roomId, readCount) => push.read(ref.userId, roomId, readCount));
      },
      onChange: async ({ documentName, document, transactionOrigin }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind !== 'roomHead') return;
        if (fromClient(transactionOrigin)) void this.queue.run(ref.room.id, () => this.projectRoom(ref.room));
        // Another node projected this change; the people it removed may be connected here.
        else if (fromOtherNode(transactionOrigin) && ref.room.kind === 'group' && readMeta(document)?.kind === 'group') {
          this.closeNonMembers(ref.room.id, new Set(readMembers(document).keys()));
        }
      },
    };
  }

  /** Projects what is waiting for its window now, and resolves when every queued projection has run. */
  idle(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flush();
    }
    return this.queue.idle();
  }

  /**
   * Collects what each client change to a room's head means (a DM's: its disappearing setting only), with the member who sent
   * it, for the projection that the same change queues (`onChange` runs after the doc's
   * observers, so the lines are here by the time that projection runs).
   */
  private watchHead(doc: Y.Doc, room: RoomRef): void {
    const roomId = room.id;
    onHeadChanged(doc, (change, origin) => {
      const actor = actorOf(origin);
      if (!actor) return;
      const events = systemEventsOf(change, actor, room.kind);
      if (events.length === 0) return;
      const pending = this.pendingLines.get(roomId) ?? [];
      pending.push({ actor, events });
      this.pendingLines.set(roomId, pending);
    });
  }

  private takeLines(roomId: RoomId, now: number): Message[] {
    const pending = this.pendingLines.get(roomId) ?? [];
    this.pendingLines.delete(roomId);
    return pending.flatMap(({ actor, events }) => events.map((event): Message => ({ id: newMessageId(), authorId: actor, createdAt: now, text: '', event })));
  }

  /** Appends system lines to the room's head bucket (or `into` that one); returns that bucket's number, its size after, and where each line sits. */
  private async appendLines(roomId: RoomId, lines: readonly Message[], into?: number): Promise<{ bucket: number; count: number; positions: Map<MessageId, Position> }> {
    const bucket = into ?? (await this.read(roomHeadDoc(roomId), headBucket));
    let count = 0;
    const positions = new Map<MessageId, Position>();
    await this.write(bucketDoc(roomId, bucket), (doc) => {
      for (const line of lines) appendMessage(doc, line);
      count = messageCount(doc);
      for (const line of lines) positions.set(line.id, { bucket, index: Math.max(0, indexOfMessage(doc, line.id)) });
    });
    return { bucket, count, positions };
  }

  /** Moves the room's head to the next bucket once `bucket` holds `count` ≥ the bucket size, or at once when `force`d. */
  private async rollOver(room: RoomRef, bucket: number, count: number, force = false): Promise<void> {
    if (count < this.deps.bucketSize && !force) return;
    await this.write(roomHeadDoc(room.id), (head) => {
      if (headBucket(head) <= bucket) advanceHead(head, bucket + 1);
    });
  }

  private watchBucket(doc: Y.Doc, room: RoomRef, bucket: number): void {
    onMessagesAdded(doc, (added, origin) => {
      if (!fromClient(origin)) return;
      for (const message of added) {
        if (!message.replyTo) continue;
        const quoted = this.pendingReplies.get(room.id) ?? new Set<MessageId>();
        quoted.add(message.replyTo);
        this.pendingReplies.set(room.id, quoted);
      }
      this.markDirty(room, bucket);
    });
    onReactionsChanged(doc, (keys, origin) => {
      if (!fromClient(origin)) return;
      const byBucket = this.pendingReactions.get(room.id) ?? new Map<number, Set<string>>();
      const pending = byBucket.get(bucket) ?? new Set<string>();
      for (const key of keys) pending.add(key);
      byBucket.set(bucket, pending);
      this.pendingReactions.set(room.id, byBucket);
      this.markDirty(room, bucket);
    });
    onMessageTextChanged(doc, (messageId, shown, origin) => {
      if (fromClient(origin)) void this.queue.run(room.id, () => this.onMessageText(room, messageId, shown));
    });
  }

  /** An edit or a deletion for everyone: a chat list previewing that message shows what the chat shows now. */
  private async onMessageText(room: RoomRef, messageId: MessageId, shown: string): Promise<void> {
    const members = await this.deps.membership.members(room);
    await Promise.all(
      members.map((userId) =>
        this.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          // A system line's words are the server's: no overlay changes its preview.
          // The notifications quoting it show what the chat shows now, too.
          rewriteNotificationPreviews(inbox, messageId, shown);
          if (entry?.lastMessage?.id !== messageId || entry.lastMessage.system) return;
          setChatEntry(inbox, room.id, { ...withoutRoomId(entry), lastMessage: { ...entry.lastMessage, preview: previewOf(shown) } });
        }),
      ),
    );
  }

  /**
   * The chat-index projection of a room's new messages (design §5b): one write per
   * member inbox however many messages arrived since the last one, all of the room's
   * inbox updates and its buckets' watermarks in one transaction, off the
   * acknowledgement path. A watermark says how much of a bucket is projected, so a
   * repeated projection (after a crash, or from two nodes) adds each message once.
   */
  private async projectMessages(room: RoomRef, buckets: number[]): Promise<void> {
    const newest = Math.max(...buckets);
    const docs = new Map<number, Y.Doc>();
    const connections = await Promise.all(buckets.map((b) => this.deps.instance().openDirectConnection(bucketDoc(room.id, b), SERVER)));
    try {
      buckets.forEach((b, i) => docs.set(b, connections[i]!.document!));
      await this.rollOver(room, newest, messageCount(docs.get(newest)!));
      const members = await this.deps.membership.members(room);
      const title = room.kind === 'group' ? await this.groupTitle(room.id) : '';
      const quoted = await this.quotedAuthors(room.id, docs);
      // Replies projected without waiting here (after a restart) find what they quote in the open buckets.
      const authorOf = (id: MessageId): UserId | undefined => quoted.get(id) ?? [...docs.values()].map((doc) => messageAuthors(doc).get(id)).find(Boolean);
      // Read before the projection's transaction: on Postgres it holds a pooled connection, and nothing inside may wait for another.
      const users = await this.usersById(members);
      const inboxes = await Promise.all(members.map((userId) => this.deps.instance().openDirectConnection(inboxDoc(userId), SERVER)));
      let projected: Message[] = [];
      // The reaction items each member's inbox got, for their pushes once the write committed (a retried write replaces them).
      let reactedItems = new Map<UserId, Notification[]>();
      const reactionKeysOf = this.takeReactions(room.id, docs);
      try {
        try {
          await this.deps.store.projectRoom(room.id, async (watermarks, load) => {
            const shared = this.deps.store.dialect === 'postgres';
            // Other nodes may have appended to these docs: the truth is the log (design §5b).
            if (shared) for (const [b, doc] of docs) await catchUp(load, this.deps.positions, bucketDoc(room.id, b), doc);
            const flush: ProjectionFlush = { updates: [], watermarks: [], clear: [] };
            const added: { message: Message; position: Position }[] = [];
            const candidates: { message: Message; position: Position }[] = [];
            let newMessages = 0;
            for (const [b, doc] of docs) {
              const mark: ProjectionMark = { roomId: room.id, bucket: b };
              const at: ProjectionWatermark = watermarks.find((w) => w.bucket === b) ?? { ...mark, length: this.baselines.get(bucketDoc(room.id, b)) ?? 0, messages: 0 };
              const fresh = readMessagesFrom(doc, at.length);
              const counted = fresh.filter((m) => !m.event).length;
              fresh.forEach((message, i) => added.push({ message, position: { bucket: b, index: at.length + i } }));
              // Concurrent appends may land among the last items already projected (the guard
              // allows it within its window), shifting one of those past the watermark: the
              // newest message is looked for among them too, so the preview is never an older one.
              const from = Math.max(0, at.length - MAX_CONCURRENT_ITEMS);
              readMessagesFrom(doc, from).forEach((message, i) => candidates.push({ message, position: { bucket: b, index: from + i } }));
              newMessages += counted;
              if (fresh.length > 0) flush.watermarks.push({ ...mark, length: at.length + fresh.length, messages: at.messages + counted });
              // An append committed but not yet applied here would be missed: keep its mark, and look again shortly.
              if (shared || this.deps.positions.settled(bucketDoc(room.id, b))) flush.clear.push(mark);
              else this.markDirty(room, b);
            }
            const now = Date.now();
            const memberSet = new Set(members);
            const reacted = reactionNotifications(room.id, docs, reactionKeysOf, memberSet, users, now);
            reactedItems = new Map([...reacted].map(([userId, { set }]) => [userId, set]));
            if (added.length === 0 && reacted.size === 0) return flush;
            projected = added.map(({ message }) => message);
            const latest = added.length > 0 ? candidates.reduce((a, b) => (b.message.createdAt >= a.message.createdAt ? b : a)) : null;
            if (shared) for (const [i, c] of inboxes.entries()) await catchUp(load, this.deps.positions, inboxDoc(members[i]!), c.document!);
            members.forEach((userId, i) => {
              const theirReactions = reacted.get(userId);
              if (added.length === 0 && !theirReactions) return;
              const update = applyLoggedServerWrite(inboxes[i]!.document!, (inbox) => {
                // Reactions to this member's messages, in the same one write per inbox.
                if (theirReactions) {
                  const roomTitle = readChatEntry(inbox, room.id)?.title ?? title;
                  applyReactionNotifications(inbox, theirReactions.set.map((item) => ({ ...item, roomTitle })), theirReactions.removed);
                }
                if (!latest) return;
                const entry = readChatEntry(inbox, room.id) ?? this.newEntry(room, userId, users, title, now);
                // Mentions of this member and replies to their messages, in the same write as the chat entry.
                addNotifications(inbox, messageNotifications(room.id, added, userId, memberSet, authorOf, users, entry.title, now));
                const newer = !entry.lastMessage || latest.message.createdAt >= entry.lastMessage.at;
                const count = entry.count + newMessages;
                const mentioned = added.some(({ message: m }) => !m.event && m.authorId !== userId && m.mentions?.includes(userId));
                const own = ownThrough(added, userId, entry.count);
                setChatEntry(inbox, room.id, {
                  ...withoutRoomId(entry),
                  count,
                  ...(mentioned ? { mentionedAt: count } : {}),
                  ...(own !== null ? { ownThrough: own } : {}),
                  updatedAt: now,
                  lastMessage: newer ? lastMessageOf(latest.message, userId, users, latest.position) : entry.lastMessage,
                });
              });
              if (update) flush.updates.push({ docName: inboxDoc(userId), update });
            });
            return flush;
          });
        } catch (error) {
          // Not projected: the reactions wait for the next try (the bucket's mark stays in the store too).
          this.restoreReactions(room.id, reactionKeysOf);
          throw error;
        }
        // After the commit: a projection that failed is run again, and announces then.
        if (this.deps.push && (projected.length > 0 || reactedItems.size > 0)) {
          const reading = readersOf(this.deps.instance(), room.id, newest);
          if (projected.length > 0) {
            this.deps.push.notify(messagePushes({ room, messages: projected, members, inboxes: inboxes.map((c) => c.document!), users, groupTitle: title, reading, seen: (userId) => this.deps.push!.seen(userId, room.id) }));
          }
          const now = Date.now();
          const reactionNotes = [...reactedItems].flatMap(([userId, items]) => {
            const inbox = inboxes[members.indexOf(userId)]?.document;
            const chatTitle = title || users.get(items[0]?.actorId as UserId)?.displayName || '';
            const note = inbox && reactionPush({ user: users.get(userId), roomId: room.id, title: chatTitle, items, inbox, reading: reading.has(userId), now });
            return note ? [note] : [];
          });
          if (reactionNotes.length > 0) this.deps.push.notify(reactionNotes);
        }
      } finally {
        await Promise.all(inboxes.map((c) => c.disconnect({ unloadImmediately: false })));
      }
    } finally {
      await Promise.all(connections.map((c) => c.disconnect({ unloadImmediately: false })));
    }
  }

  /** The reaction keys waiting for these buckets (all of a recovered bucket's), taken out of the waiting set. */
  private takeReactions(roomId: RoomId, docs: ReadonlyMap<number, Y.Doc>): Map<number, Set<string>> {
    const byBucket = this.pendingReactions.get(roomId);
    const out = new Map<number, Set<string>>();
    for (const [b, doc] of docs) {
      const keys = byBucket?.get(b) ?? new Set<string>();
      byBucket?.delete(b);
      if (this.rescanReactions.delete(bucketDoc(roomId, b))) for (const key of reactionKeys(doc)) keys.add(key);
      if (keys.size > 0) out.set(b, keys);
    }
    if (byBucket?.size === 0) this.pendingReactions.delete(roomId);
    return out;
  }

  private restoreReactions(roomId: RoomId, taken: ReadonlyMap<number, Set<string>>): void {
    if (taken.size === 0) return;
    const byBucket = this.pendingReactions.get(roomId) ?? new Map<number, Set<string>>();
    for (const [b, keys] of taken) byBucket.set(b, new Set([...keys, ...(byBucket.get(b) ?? [])]));
    this.pendingReactions.set(roomId, byBucket);
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
      await this.read(bucketDoc(roomId, older), (doc) => look(doc, missing));
    }
    return out;
  }

  private async projectRoom(room: RoomRef): Promise<void> {
    const now = Date.now();
    const lines = this.takeLines(room.id, now);
    const { meta, members } = await this.read(roomHeadDoc(room.id), (head) => ({ meta: readMeta(head), members: readMembers(head) }));
    if (!meta || meta.kind !== room.kind) return;
    const next: RoomMemberRow[] =
      room.kind === 'dm'
        ? room.members.map((userId) => ({ userId, role: 'member' as const }))
        : [...members].map(([userId, member]) => ({ userId, role: member.role }));
    const previous = new Set((await this.deps.store.getRoomMembers(room.id)).map((m) => m.userId));
    const createdBy = meta.createdBy ?? next[0]?.userId;
    if (!createdBy) return;
    const current = new Set(next.map((m) => m.userId));
    const gone = [...previous].filter((id) => !current.has(id));
    // "Created" reads at the time the group was made, as its creator's first message
    // (written after it, perhaps offline) does; never in the future of the server's clock.
    for (const line of lines) if (line.event?.type === 'created' && meta.createdAt !== undefined) line.createdAt = Math.min(meta.createdAt, now);
    // The lines go in before the members are saved: a group's buckets open to members only
    // once it is in the store (Membership.access), so "created" is the first thing in it,
    // and a removed member's open chat still gets the line that removed them. Who left
    // keeps reading the buckets up to the one with that line; what comes after goes to a
    // new bucket, which they are refused. The head moves on first, so a member who sees
    // the line already writes to the new bucket.
    const lastBucket = gone.length > 0 ? await this.read(roomHeadDoc(room.id), headBucket) : null;
    if (lastBucket !== null) await this.rollOver(room, lastBucket, 0, true);
    let positions = new Map<MessageId, Position>();
    if (lines.length > 0) {
      const appended = await this.appendLines(room.id, lines, lastBucket ?? undefined);
      positions = appended.positions;
      await this.rollOver(room, appended.bucket, appended.count);
      // Out before the connections of those who left close (Hocuspocus batches broadcasts).
      this.deps.instance().documents.get(bucketDoc(room.id, appended.bucket))?.flush();
    }
    const departed = lastBucket === null ? [] : gone.map((userId) => ({ userId, throughBucket: lastBucket }));
    await this.deps.store.saveRoomMembers({ id: room.id, kind: room.kind, createdBy, createdAt: meta.createdAt ?? Date.now() }, next, departed);
    // Disappearing messages changed: the expiry pass (disappearing.ts) reads its rooms from
    // the store. They apply from the server's now, not the device's `at`: a member cannot
    // reach back (a DM's other person's older messages) by writing an old time.
    if (lines.some((line) => line.event?.type === 'disappearing')) {
      const { setting, head } = await this.read(roomHeadDoc(room.id), (doc) => ({ setting: readDisappearing(doc), head: headBucket(doc) }));
      await this.deps.store.setDisappearing(room.id, setting && setting.afterMs > 0 ? { afterMs: setting.afterMs, since: now, fromBucket: head } : null);
    }
    this.closeNonMembers(room.id, current);
    const mentioned = lines.flatMap((line) => [line.authorId, ...(line.event?.target ? [line.event.target] : [])]);
    const users = await this.usersById([...current, ...gone, ...mentioned]);
    const latest = lines.at(-1);
    // Pushes about what happened to each member, from the items written for them (sent once every write committed).
    // Keyed by person: a write retried under its lock runs its change again, and must not announce twice.
    const pushes = new Map<UserId, PushNote>();
    const reading = this.deps.push && lines.length > 0 ? readersOf(this.deps.instance(), room.id, await this.read(roomHeadDoc(room.id), headBucket)) : new Set<UserId>();
    const notePush = (userId: UserId, title: string, items: readonly Notification[], inbox: Y.Doc) => {
      if (!this.deps.push || items.length === 0) return;
      const note = membershipPush({ userId, roomId: room.id, title, items, inbox, reading: reading.has(userId), now });
      if (note) pushes.set(userId, note);
      else pushes.delete(userId);
    };
    await Promise.all([
      // They keep the chat and its history, read-only, with the line that ended it as its preview.
      ...gone.map((userId) =>
        this.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          if (!entry) return;
          const own = lines.findLast((line) => line.event?.target === userId || (line.event?.type === 'left' && line.authorId === userId));
          const former = own?.event?.type === 'left' ? 'left' : 'removed';
          const items = membershipNotifications(room.id, lines, userId, users, meta.name ?? entry.title, positions, now);
          addNotifications(inbox, items);
          notePush(userId, meta.name ?? entry.title, items, inbox);
          setChatEntry(inbox, room.id, { ...withoutRoomId(entry), former, updatedAt: now, lastMessage: own ? lastMessageOf(own, userId, users, positions.get(own.id)) : entry.lastMessage });
        }),
      ),
      ...[...current].map((userId) =>
        this.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          const title = room.kind === 'group' ? (meta.name ?? '') : (entry?.title ?? this.newEntry(room, userId, users, '', now).title);
          const items = membershipNotifications(room.id, lines, userId, users, title, positions, now);
          addNotifications(inbox, items);
          notePush(userId, title, items, inbox);
          // A line older than the entry's last message (an offline-made group's "created") does not replace it.
          const newer = latest && (!entry?.lastMessage || latest.createdAt >= entry.lastMessage.at) ? latest : undefined;
          if (entry && entry.title === title && !entry.former && !newer) return;
          const { former: _former, ...base } = entry ? withoutRoomId(entry) : withoutRoomId(this.newEntry(room, userId, users, title, now));
          setChatEntry(inbox, room.id, { ...base, title, ...(newer ? { updatedAt: now, lastMessage: lastMessageOf(newer, userId, users, positions.get(newer.id)) } : {}) });
        }),
      ),
    ]);
    // A write that failed threw above: this projection runs again, and announces then.
    if (pushes.size > 0) this.deps.push?.notify([...pushes.values()]);
  }

  /**
   * Anyone connected here to the room's docs who is not a member now (removed, left, or
   * never one while the group was being created) is cut off at once; a former member's
   * read-only connection to a bucket of their span stays.
   */
  private closeNonMembers(roomId: RoomId, members: ReadonlySet<UserId>): void {
    closeConnections(this.deps.instance(), (context, name) => !members.has(context.user.id) && !context.former && roomIdOfName(name) === roomId, syncRefusal('removed'));
  }

  private newEntry(room: RoomRef, viewer: UserId, users: Map<UserId, UserRow>, groupTitle: string, now: number): ChatEntry {
    if (room.kind === 'dm') {
      const peer = room.members[0] === viewer ? room.members[1] : room.members[0];
      return { roomId: room.id, kind: 'dm', title: users.get(peer)?.displayName ?? '', peerId: peer, count: 0, updatedAt: now };
    }
    return { roomId: room.id, kind: 'group', title: groupTitle, count: 0, updatedAt: now };
  }

  private async groupTitle(roomId: RoomId): Promise<string> {
    return this.read(roomHeadDoc(roomId), (head) => readMeta(head)?.name ?? '');
  }

  private async usersById(ids: UserId[]): Promise<Map<UserId, UserRow>> {
    const rows = await this.deps.store.getUsersByIds([...new Set(ids)]);
    return new Map(rows.map((u) => [u.id, u]));
  }

  /**
   * A server-side write: a read-modify-write through `Store.writeDoc`, which holds the
   * doc's lock across processes and appends the update in the same transaction. With a
   * shared database the doc is first caught up with what other processes logged (Redis
   * relays are fast but not guaranteed), so two nodes never write a key from a stale
   * copy. The change goes through the loaded document, so connected clients get it.
   */
  async write(docName: string, change: (doc: Y.Doc) => void): Promise<void> {
    const connection = await this.deps.instance().openDirectConnection(docName, SERVER);
    try {
      const doc = connection.document!;
      // Only what was logged after the last row this node applied: the loaded doc is the truth here.
      await this.deps.store.writeDoc(docName, (stored) => {
        // With one process (SQLite) those rows are this node's own writes, applied already or about to be by Hocuspocus.
        if (this.deps.store.dialect === 'postgres') catchUpFromStored(doc, stored);
        this.deps.positions.advanced(docName, stored.lastId);
        return applyLoggedServerWrite(doc, change);
      }, this.deps.positions.lastApplied(docName));
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  /**
   * Someone joins a group through its invite link (the route checked the link): the
   * server writes their member entry into the head, as a member added by the link's
   * maker, and the room is projected as after any membership change — the "joined" line,
   * the members in SQL (so their connections open the group's docs), every member's chat
   * list. Resolves when that is done. Someone already in is left as they are.
   */
  async joinByInvite(room: RoomRef, userId: UserId, invitedBy: UserId): Promise<void> {
    // The queue logs a task's failure and goes on; the caller (the join route) must hear of it.
    let failure: unknown = null;
    await this.queue.run(room.id, () => this.addByInvite(room, userId, invitedBy).catch((error) => void (failure = error)));
    if (failure) throw failure;
  }

  private async addByInvite(room: RoomRef, userId: UserId, invitedBy: UserId): Promise<void> {
    {
      let joined = false;
      await this.write(roomHeadDoc(room.id), (head) => {
        if (readMembers(head).has(userId)) return;
        const addedAt = Math.max(Date.now(), readMeta(head)?.createdAt ?? 0);
        setMember(head, userId, { role: 'member', addedBy: invitedBy, addedAt });
        joined = true;
      });
      if (!joined) return;
      const pending = this.pendingLines.get(room.id) ?? [];
      pending.push({ actor: userId, events: [{ type: 'joined' }] });
      this.pendingLines.set(room.id, pending);
      await this.projectRoom(room);
    }
  }

  /**
   * Messages the chat's disappearing messages removed: chat lists and notifications that
   * preview one of them show nothing of it (one write per member; the purge extension
   * then compacts each inbox, whose log still holds the old preview).
   */
  forgetMessages(room: RoomRef, ids: ReadonlySet<MessageId>): Promise<void> {
    return this.queue.run(room.id, async () => {
      const members = await this.deps.membership.members(room);
      await Promise.all(
        members.map((userId) =>
          this.write(inboxDoc(userId), (inbox) => {
            for (const id of ids) rewriteNotificationPreviews(inbox, id, '');
            const entry = readChatEntry(inbox, room.id);
            if (!entry?.lastMessage || !ids.has(entry.lastMessage.id as MessageId) || entry.lastMessage.system) return;
            setChatEntry(inbox, room.id, { ...withoutRoomId(entry), lastMessage: { ...entry.lastMessage, preview: '' } });
          }),
        ),
      );
    });
  }

  async read<T>(docName: string, look: (doc: Y.Doc) => T): Promise<T> {
    const connection = await this.deps.instance().openDirectConnection(docName, SERVER);
    try {
      return look(connection.document!);
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }
}

function catchUpFromStored(doc: Y.Doc, stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): void {
  const parts = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
  if (parts.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(parts), CAUGHT_UP);
}

/**
 * The room's count just after `userId`'s last message among `added` (in their order,
 * counting people's messages from `countBefore`), or null if they wrote none of them.
 */
function ownThrough(added: readonly { message: Message }[], userId: UserId, countBefore: number): number | null {
  let count = countBefore;
  let own: number | null = null;
  for (const { message } of added) {
    if (message.event) continue;
    count++;
    if (message.authorId === userId) own = count;
  }
  return own;
}

/**
 * What new messages notify `viewer` of: a mention of them, or a reply to their message
 * (one item per message: a reply that mentions them is a mention). Never their own
 * messages, never system lines, and only while they are a member.
 */
function messageNotifications(
  roomId: RoomId,
  added: readonly { message: Message; position: Position }[],
  viewer: UserId,
  members: ReadonlySet<UserId>,
  authorOf: (id: MessageId) => UserId | undefined,
  users: Map<UserId, UserRow>,
  roomTitle: string,
  now: number,
): Notification[] {
  if (!members.has(viewer)) return [];
  const out: Notification[] = [];
  for (const { message, position } of added) {
    if (message.event || message.deleted || message.authorId === viewer) continue;
    const kind: NotificationKind | null = message.mentions?.includes(viewer) ? 'mention' : message.replyTo && authorOf(message.replyTo) === viewer ? 'reply' : null;
    if (!kind) continue;
    out.push({
      key: notificationKey(kind, message.id),
      kind,
      roomId,
      messageId: message.id,
      bucket: position.bucket,
      actorId: message.authorId,
      actorName: users.get(message.authorId)?.displayName ?? '',
      roomTitle,
      preview: previewTextOf(message),
      at: now,
    });
  }
  return out;
}

/**
 * What a group's system lines notify `viewer` of: someone added them (or created the
 * group with them in it), removed them, or made them an admin. Their own doings are
 * not notified.
 */
function membershipNotifications(
  roomId: RoomId,
  lines: readonly Message[],
  viewer: UserId,
  users: Map<UserId, UserRow>,
  roomTitle: string,
  positions: ReadonlyMap<MessageId, Position>,
  now: number,
): Notification[] {
  const out: Notification[] = [];
  for (const line of lines) {
    const event = line.event;
    if (!event || line.authorId === viewer) continue;
    const kind: NotificationKind | null =
      (event.type === 'added' && event.target === viewer) || event.type === 'created'
        ? 'added'
        : event.type === 'removed' && event.target === viewer
          ? 'removed'
          : event.type === 'promoted' && event.target === viewer
            ? 'made_admin'
            : null;
    if (!kind) continue;
    const bucket = positions.get(line.id)?.bucket;
    out.push({
      key: notificationKey(kind, line.id),
      kind,
      roomId,
      messageId: line.id,
      ...(bucket !== undefined ? { bucket } : {}),
      actorId: line.authorId,
      actorName: users.get(line.authorId)?.displayName ?? '',
      roomTitle,
      preview: '',
      at: now,
    });
  }
  return out;
}

/** The chat index's preview of `message` for `viewer`: a system line is worded for them ("Alice added you"). */
function lastMessageOf(message: Message, viewer: UserId, users: Map<UserId, UserRow>, position?: Position): NonNullable<ChatEntry['lastMessage']> {
  const authorName = users.get(message.authorId)?.displayName ?? '';
  const base = { id: message.id, authorId: message.authorId, authorName, at: message.createdAt, ...(position ? { position } : {}) };
  if (!message.event) return { ...base, preview: previewOf(previewTextOf(message)) };
  const nameOf = (id: UserId) => users.get(id)?.displayName ?? 'Someone';
  return { ...base, preview: previewOf(describeSystemLine(message, viewer, nameOf)), system: true };
}

/** The member whose connection sent a change, if a client connection did. */
function actorOf(origin: unknown): UserId | null {
  if (!isTransactionOrigin(origin) || origin.source !== 'connection') return null;
  return (origin.connection.context as SyncContext | undefined)?.user?.id ?? null;
}

/** A change another server process received and relayed (Redis) or logged (caught up from the store). */
function fromOtherNode(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'redis';
}

function fromClient(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'connection';
}

function roomIdOfName(name: string): RoomId | null {
  const ref = parseDocName(name);
  return ref ? (roomOfDoc(ref)?.id ?? null) : null;
}

function withoutRoomId(entry: ChatEntry): Omit<ChatEntry, 'roomId'> {
  const { roomId: _roomId, ...rest } = entry;
  return rest;
}
