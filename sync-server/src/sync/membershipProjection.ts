import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { RoomMemberRow, Store } from '../store/db/store';
import { lastMessageOf, newChatEntry, withoutRoomId } from '#schema/docs/chatIndex';
import { readChatEntry, setChatEntry } from '#schema/docs/inbox';
import { bucketDoc, inboxDoc, roomHeadDoc } from '#schema/docs/names';
import { addNotifications, type Notification } from '#schema/docs/notifications';
import type { Position } from '#schema/docs/receipts';
import { headBucket, readDisappearing, readMembers, readMeta, setMember } from '#schema/docs/roomHead';
import type { MessageId, RoomRef, UserId } from '#schema/ids';
import { membershipPush } from '../push/membershipPushes';
import { readersOf } from '../push/messagePushes';
import type { PushNote, PushSender } from '../push/pushSender';
import type { ServerWrites } from '../store/serverWrites';
import { membershipNotifications } from './messageNotifications';
import { closeNonMembers } from './removedMembers';
import { rollOver, type SystemLineWriter } from './systemLineWriter';
import { cardsById } from './membership';

/**
 * The projection of a room's head after a change (design §5b): its members into the
 * `rooms` and `room_members` tables (membership decisions are SQL lookups), the group's
 * changes as system lines in its head bucket, every member's chat index entry (people
 * who left or were removed keep the chat, marked `former`, with the line that ended it
 * as its preview), their notifications and pushes, and removed members' live
 * connections closed at once.
 */
export class MembershipProjection {
  constructor(
    private readonly deps: {
      store: Store;
      writes: ServerWrites;
      lines: SystemLineWriter;
      bucketSize: number;
      instance: () => Hocuspocus;
      push?: PushSender;
    },
  ) {}

  async project(room: RoomRef): Promise<void> {
    const { writes, store } = this.deps;
    const now = Date.now();
    const lines = this.deps.lines.take(room.id, now);
    const { meta, members } = await writes.read(roomHeadDoc(room.id), (head) => ({ meta: readMeta(head), members: readMembers(head) }));
    if (!meta || meta.kind !== room.kind) return;
    const next: RoomMemberRow[] = room.kind === 'dm' ? room.members.map((userId) => ({ userId, role: 'member' as const })) : [...members].map(([userId, member]) => ({ userId, role: member.role }));
    const previous = new Set((await store.getRoomMembers(room.id)).map((m) => m.userId));
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
    const lastBucket = gone.length > 0 ? await writes.read(roomHeadDoc(room.id), headBucket) : null;
    if (lastBucket !== null) await rollOver(writes, this.deps.bucketSize, room, lastBucket, 0, true);
    let positions = new Map<MessageId, Position>();
    if (lines.length > 0) {
      const appended = await this.deps.lines.append(room.id, lines, lastBucket ?? undefined);
      positions = appended.positions;
      await rollOver(writes, this.deps.bucketSize, room, appended.bucket, appended.count);
      // Out before the connections of those who left close (Hocuspocus batches broadcasts).
      this.deps.instance().documents.get(bucketDoc(room.id, appended.bucket))?.flush();
    }
    const departed = lastBucket === null ? [] : gone.map((userId) => ({ userId, throughBucket: lastBucket }));
    await store.saveRoomMembers({ id: room.id, kind: room.kind, createdBy, createdAt: meta.createdAt ?? Date.now() }, next, departed);
    // Disappearing messages changed: the expiry pass (disappearing.ts) reads its rooms from
    // the store. They apply from the server's now, not the device's `at`: a member cannot
    // reach back (a DM's other person's older messages) by writing an old time.
    if (lines.some((line) => line.event?.type === 'disappearing')) {
      const { setting, head } = await writes.read(roomHeadDoc(room.id), (doc) => ({ setting: readDisappearing(doc), head: headBucket(doc) }));
      await store.setDisappearing(room.id, setting && setting.afterMs > 0 ? { afterMs: setting.afterMs, since: now, fromBucket: head } : null);
    }
    closeNonMembers(this.deps.instance(), room.id, current);
    const mentioned = lines.flatMap((line) => [line.authorId, ...(line.event?.target ? [line.event.target] : [])]);
    const users = await cardsById(store, [...current, ...gone, ...mentioned]);
    const nameOf = (id: UserId) => users.get(id)?.displayName;
    const latest = lines.at(-1);
    // Pushes about what happened to each member, from the items written for them (sent once every write committed).
    // Keyed by person: a write retried under its lock runs its change again, and must not announce twice.
    const pushes = new Map<UserId, PushNote>();
    const push = this.deps.push;
    const reading = push && lines.length > 0 ? readersOf(this.deps.instance(), room.id, await writes.read(roomHeadDoc(room.id), headBucket)) : new Set<UserId>();
    const notePush = (userId: UserId, title: string, items: readonly Notification[], inbox: Y.Doc) => {
      if (!push || items.length === 0) return;
      const note = membershipPush({ userId, roomId: room.id, title, items, inbox, reading: reading.has(userId), now });
      if (note) pushes.set(userId, note);
      else pushes.delete(userId);
    };
    await Promise.all([
      // They keep the chat and its history, read-only, with the line that ended it as its preview.
      ...gone.map((userId) =>
        writes.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          if (!entry) return;
          const own = lines.findLast((line) => line.event?.target === userId || (line.event?.type === 'left' && line.authorId === userId));
          const former = own?.event?.type === 'left' ? 'left' : 'removed';
          const items = membershipNotifications(room.id, lines, userId, users, meta.name ?? entry.title, positions, now);
          addNotifications(inbox, items);
          notePush(userId, meta.name ?? entry.title, items, inbox);
          setChatEntry(inbox, room.id, { ...withoutRoomId(entry), former, updatedAt: now, lastMessage: own ? lastMessageOf(own, userId, nameOf, positions.get(own.id)) : entry.lastMessage });
        }),
      ),
      ...[...current].map((userId) =>
        writes.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          const title = room.kind === 'group' ? (meta.name ?? '') : (entry?.title ?? newChatEntry(room, userId, nameOf, '', now).title);
          const items = membershipNotifications(room.id, lines, userId, users, title, positions, now);
          addNotifications(inbox, items);
          notePush(userId, title, items, inbox);
          // A line older than the entry's last message (an offline-made group's "created") does not replace it.
          const newer = latest && (!entry?.lastMessage || latest.createdAt >= entry.lastMessage.at) ? latest : undefined;
          if (entry && entry.title === title && !entry.former && !newer) return;
          const { former: _former, ...base } = withoutRoomId(entry ?? newChatEntry(room, userId, nameOf, title, now));
          setChatEntry(inbox, room.id, { ...base, title, ...(newer ? { updatedAt: now, lastMessage: lastMessageOf(newer, userId, nameOf, positions.get(newer.id)) } : {}) });
        }),
      ),
    ]);
    // A write that failed threw above: this projection runs again, and announces then.
    if (pushes.size > 0) push?.notify([...pushes.values()]);
  }

  /**
   * Writes `userId`'s member entry into the group's head, as a member added by the
   * invite link's maker, and projects the room as after any membership change (the
   * "joined" line, the members in SQL, every member's chat list). Someone already in is
   * left as they are.
   */
  async addByInvite(room: RoomRef, userId: UserId, invitedBy: UserId): Promise<void> {
    let joined = false;
    await this.deps.writes.write(roomHeadDoc(room.id), (head) => {
      if (readMembers(head).has(userId)) return;
      const addedAt = Math.max(Date.now(), readMeta(head)?.createdAt ?? 0);
      setMember(head, userId, { role: 'member', addedBy: invitedBy, addedAt });
      joined = true;
    });
    if (!joined) return;
    this.deps.lines.note(room.id, userId, [{ type: 'joined' }]);
    await this.project(room);
  }
}
