import { isTransactionOrigin, type Extension, type Hocuspocus, type LocalTransactionOrigin, type RedisTransactionOrigin } from '@hocuspocus/server';
import * as Y from 'yjs';
import { syncRefusal } from '../../../schema/api/errors';
import type { RoomMemberRow, Store, UserRow } from '../../../schema/db/store';
import { indexOfMessage, messageCount, onMessagesAdded, onMessageTextChanged } from '../../../schema/docs/bucket';
import { readChatEntry, removeChatEntry, setChatEntry, type ChatEntry } from '../../../schema/docs/inbox';
import { previewOf, type Message } from '../../../schema/docs/message';
import { inboxDoc, parseDocName, roomHeadDoc, roomOfDoc } from '../../../schema/docs/names';
import type { Position } from '../../../schema/docs/receipts';
import { advanceHead, headBucket, readMembers, readMeta } from '../../../schema/docs/roomHead';
import type { MessageId, RoomId, RoomRef, UserId } from '../../../schema/ids';
import { closeConnections, type ServerWriteContext } from './context';
import type { Membership } from './membership';
import { SerialQueue } from './serialQueue';

const SERVER: ServerWriteContext = { server: true };
const LOGGED_SERVER_WRITE = { source: 'local', context: { server: true, logged: true } } as const satisfies LocalTransactionOrigin;
/** What another process logged: applied, broadcast to clients, but neither logged nor projected again. */
const CAUGHT_UP = { source: 'redis' } as const satisfies RedisTransactionOrigin;

/**
 * What the server derives from what clients write:
 * - room heads → the rooms and room_members tables (membership decisions are SQL
 *   lookups), chat index entries for every member, and removed members' live
 *   connections closed at once;
 * - new messages in a bucket → every member's chat index (last message, count,
 *   order), and the room head moved to a new bucket once this one is full;
 * - an edit or a deletion for everyone of a chat's last message → its preview.
 * Only changes that arrived from a client connection of this node are projected, so
 * with several nodes each change is projected once.
 */
export class Projections {
  private readonly queue: SerialQueue;

  constructor(
    private readonly deps: { store: Store; membership: Membership; bucketSize: number; instance: () => Hocuspocus; log: (error: unknown, what: string) => void },
  ) {
    this.queue = new SerialQueue((error, key) => deps.log(error, `projection ${key}`));
  }

  extension(): Extension {
    return {
      extensionName: 'projections',
      priority: 50,
      afterLoadDocument: async ({ documentName, document }) => {
        const ref = parseDocName(documentName);
        if (ref?.kind === 'bucket') this.watchBucket(document, ref.room, ref.bucket);
      },
      onChange: async ({ documentName, transactionOrigin }) => {
        if (!fromClient(transactionOrigin)) return;
        const ref = parseDocName(documentName);
        if (ref?.kind === 'roomHead') void this.queue.run(ref.room.id, () => this.projectRoom(ref.room));
      },
    };
  }

  /** Resolves when every queued projection has run. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private watchBucket(doc: Y.Doc, room: RoomRef, bucket: number): void {
    onMessagesAdded(doc, (added, origin) => {
      if (!fromClient(origin)) return;
      const count = messageCount(doc);
      const latest = latestOf(added);
      const position = { bucket, index: Math.max(0, indexOfMessage(doc, latest.id)) };
      void this.queue.run(room.id, () => this.onMessages(room, bucket, count, added, position));
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
          if (entry?.lastMessage?.id !== messageId) return;
          setChatEntry(inbox, room.id, { ...withoutRoomId(entry), lastMessage: { ...entry.lastMessage, preview: previewOf(shown) } });
        }),
      ),
    );
  }

  private async onMessages(room: RoomRef, bucket: number, bucketCount: number, added: Message[], position: Position): Promise<void> {
    if (bucketCount >= this.deps.bucketSize) {
      await this.write(roomHeadDoc(room.id), (head) => {
        if (headBucket(head) <= bucket) advanceHead(head, bucket + 1);
      });
    }
    const latest = latestOf(added);
    const members = await this.deps.membership.members(room);
    const users = await this.usersById([...members, latest.authorId]);
    const title = room.kind === 'group' ? await this.groupTitle(room.id) : '';
    const now = Date.now();
    await Promise.all(
      members.map((userId) =>
        this.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id) ?? this.newEntry(room, userId, users, title, now);
          const newer = !entry.lastMessage || latest.createdAt >= entry.lastMessage.at;
          const count = entry.count + added.length;
          const mentioned = added.some((m) => m.authorId !== userId && m.mentions?.includes(userId));
          setChatEntry(inbox, room.id, {
            ...withoutRoomId(entry),
            count,
            ...(mentioned ? { mentionedAt: count } : {}),
            updatedAt: now,
            lastMessage: newer
              ? { id: latest.id, authorId: latest.authorId, authorName: users.get(latest.authorId)?.displayName ?? '', preview: previewOf(latest.text), at: latest.createdAt, position }
              : entry.lastMessage,
          });
        }),
      ),
    );
  }

  private async projectRoom(room: RoomRef): Promise<void> {
    const { meta, members } = await this.read(roomHeadDoc(room.id), (head) => ({ meta: readMeta(head), members: readMembers(head) }));
    if (!meta || meta.kind !== room.kind) return;
    const next: RoomMemberRow[] =
      room.kind === 'dm'
        ? room.members.map((userId) => ({ userId, role: 'member' as const }))
        : [...members].map(([userId, member]) => ({ userId, role: member.role }));
    const previous = new Set((await this.deps.store.getRoomMembers(room.id)).map((m) => m.userId));
    const createdBy = meta.createdBy ?? next[0]?.userId;
    if (!createdBy) return;
    await this.deps.store.saveRoomMembers({ id: room.id, kind: room.kind, createdBy, createdAt: meta.createdAt ?? Date.now() }, next);

    const current = new Set(next.map((m) => m.userId));
    // Anyone connected to this room's docs who is not a member now (removed, or never
    // one while the group was being created) is cut off at once.
    closeConnections(
      this.deps.instance(),
      (context, name) => !current.has(context.user.id) && roomIdOfName(name) === room.id,
      syncRefusal('removed'),
    );
    const users = await this.usersById([...current]);
    const now = Date.now();
    await Promise.all([
      ...[...previous].filter((id) => !current.has(id)).map((userId) => this.write(inboxDoc(userId), (inbox) => removeChatEntry(inbox, room.id))),
      ...[...current].map((userId) =>
        this.write(inboxDoc(userId), (inbox) => {
          const entry = readChatEntry(inbox, room.id);
          const title = room.kind === 'group' ? (meta.name ?? '') : (entry?.title ?? this.newEntry(room, userId, users, '', now).title);
          if (entry && entry.title === title) return;
          setChatEntry(inbox, room.id, { ...(entry ? withoutRoomId(entry) : withoutRoomId(this.newEntry(room, userId, users, title, now))), title });
        }),
      ),
    ]);
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
  private async write(docName: string, change: (doc: Y.Doc) => void): Promise<void> {
    const connection = await this.deps.instance().openDirectConnection(docName, SERVER);
    try {
      const doc = connection.document!;
      await this.deps.store.writeDoc(docName, (stored) => {
        if (this.deps.store.dialect === 'postgres') catchUp(doc, stored);
        let update: Uint8Array | null = null;
        const capture = (u: Uint8Array, origin: unknown) => {
          if (origin === LOGGED_SERVER_WRITE) update = u;
        };
        doc.on('update', capture);
        try {
          doc.transact(() => change(doc), LOGGED_SERVER_WRITE);
        } finally {
          doc.off('update', capture);
        }
        return update;
      });
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  private async read<T>(docName: string, look: (doc: Y.Doc) => T): Promise<T> {
    const connection = await this.deps.instance().openDirectConnection(docName, SERVER);
    try {
      return look(connection.document!);
    } finally {
      await connection.disconnect({ unloadImmediately: false });
    }
  }
}

function catchUp(doc: Y.Doc, stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): void {
  const parts = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
  if (parts.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(parts), CAUGHT_UP);
}

/** The newest of some messages, by their writers' clocks. */
function latestOf(messages: Message[]): Message {
  return messages.reduce((a, b) => (b.createdAt >= a.createdAt ? b : a));
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
