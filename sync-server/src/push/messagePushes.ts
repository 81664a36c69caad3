import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import type { MemberCard } from '../store/db/store';
import { chatMutedUntil, chatNotifyLevel, shouldNotify } from '#schema/docs/inbox';
import { previewOf, previewTextOf, type Message } from '#schema/docs/message';
import { bucketDoc } from '#schema/docs/names';
import type { RoomId, RoomRef, UserId } from '#schema/ids';
import type { SyncContext } from '../sync/context';
import type { PushNote } from './pushSender';

/**
 * Who gets a push about a room's new messages (the projection asks, after its commit):
 * every member but their authors, unless they are `reading` the chat right now (then
 * `seen` resets their count for it), or muted it or set it to "mentions only" and are
 * not mentioned, or set it to "off" ({@link shouldNotify}). Reads only
 * what the projection has loaded already: the members' inboxes and their cards (name, push preview).
 */
export function messagePushes(args: {
  room: RoomRef;
  messages: readonly Message[];
  members: readonly UserId[];
  /** Each member's inbox, in the order of `members`. */
  inboxes: readonly Y.Doc[];
  /** The message count the projection just wrote into each member's chat entry. */
  counts: ReadonlyMap<UserId, number>;
  users: ReadonlyMap<UserId, MemberCard>;
  groupTitle: string;
  reading: ReadonlySet<UserId>;
  seen: (userId: UserId) => void;
}): PushNote[] {
  const { room, members, inboxes, users } = args;
  const messages = args.messages.filter((m) => !m.event);
  if (messages.length === 0) return [];
  const now = Date.now();
  const notes: PushNote[] = [];
  members.forEach((userId, i) => {
    const theirs = messages.filter((m) => m.authorId !== userId);
    if (theirs.length === 0) return;
    if (args.reading.has(userId)) return args.seen(userId);
    const mentions = theirs.filter((m) => m.mentions?.includes(userId));
    const muted = (chatMutedUntil(inboxes[i]!, room.id) ?? 0) > now;
    const level = chatNotifyLevel(inboxes[i]!, room.id);
    if (!shouldNotify(level, muted, mentions.length > 0)) return;
    // Where only mentions get through, the push is about them, not the chatter around them.
    const told = muted || level === 'mentions' ? mentions : theirs;
    const last = told.reduce((a, b) => (b.createdAt >= a.createdAt ? b : a));
    const author = users.get(last.authorId)?.displayName ?? 'Someone';
    const text = previewOf(previewTextOf(last));
    const preview = users.get(userId)?.pushPreview !== false;
    notes.push({
      userId,
      roomId: room.id,
      title: room.kind === 'group' ? args.groupTitle || 'Group' : author,
      ...(preview ? { text: room.kind === 'group' ? `${author}: ${text}` : text } : {}),
      messages: told.length,
      // The count the projection just wrote: once their read mark reaches it, the push is withdrawn.
      ...withThrough(args.counts.get(userId)),
    });
  });
  return notes;
}

function withThrough(count: number | undefined): { through?: number } {
  return count !== undefined && count > 0 ? { through: count } : {};
}

/** People with one of the room's buckets 0..`newest` open on this node: they are reading the chat. */
export function readersOf(instance: Hocuspocus, roomId: RoomId, newest: number): Set<UserId> {
  const out = new Set<UserId>();
  for (let bucket = 0; bucket <= newest; bucket++) {
    for (const connection of instance.documents.get(bucketDoc(roomId, bucket))?.getConnections() ?? []) {
      const id = (connection.context as SyncContext | undefined)?.user?.id;
      if (id) out.add(id);
    }
  }
  return out;
}
