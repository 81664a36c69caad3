// Over 300 lines for one job: the inbox doc's shape. Every key of its `state` has its schema here, so the guard's table (`isValidStateEntry`) cannot miss one.
import type * as Y from 'yjs';
import { z } from 'zod';
import type { MessageId, RoomId, UserId } from '../ids';
import { MAX_MESSAGE_TEXT, PREVIEW_LENGTH } from './message';
import { positionSchema } from './receipts';
import { validatedOnce } from './validatedOnce';

/**
 * Root type names of an inbox doc. `chats` (the chat index) is written by the server
 * only; `state` is the owner's own (read marks, drafts, pins…), with flat keys so that
 * each key has one writer; `notifications` (the notification list, `notifications.ts`)
 * is written by the server only.
 */
export const INBOX = { chats: 'chats', state: 'state', notifications: 'notifications' } as const;

const chatEntrySchema = z
  .object({
    kind: z.enum(['dm', 'group']),
    /** Group name, or for a DM the peer's display name, as the server last saw it. */
    title: z.string(),
    peerId: z.string().optional(),
    lastMessage: z
      .object({
        id: z.string(),
        authorId: z.string(),
        authorName: z.string(),
        preview: z.string(),
        at: z.number(),
        /** Where the message sits (`schema/docs/receipts.ts`), so a device can report it received without opening the room. */
        position: positionSchema.optional(),
        /** A system line ("Alice added you"): `preview` is its whole text, already worded for this reader. */
        system: z.literal(true).optional(),
      })
      .strict()
      .optional(),
    /** The room's message count just after the latest message that mentions the inbox's owner. */
    mentionedAt: z.number().int().nonnegative().optional(),
    /**
     * The room's message count just after the owner's own latest message: one has seen a
     * chat up to what one wrote in it, on whichever device wrote it, even if that device
     * closed before it could move the read mark.
     */
    ownThrough: z.number().int().nonnegative().optional(),
    /** People's messages in the room, as the server counted them (system lines are not counted, so never unread). */
    count: z.number().int().nonnegative(),
    updatedAt: z.number(),
    /** This user is no longer in the group: someone `removed` them, or they `left`. The chat stays, read-only. */
    former: z.enum(['removed', 'left']).optional(),
  })
  .strict();

/** One chat of the chat index, as the chat list shows it without opening the room. */
export type ChatEntry = z.infer<typeof chatEntrySchema> & { roomId: RoomId; peerId?: UserId };

function chatsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(INBOX.chats);
}

/**
 * Server only: writes the entry of one chat, and takes it as valid from then on
 * ({@link validatedOnce}, frozen): it is the server's own, typed, and the doc keeps
 * this very object, so the next projection's read need not parse it again. A large
 * group's projection parsed every member's entry, the one each last wrote: about a
 * twentieth of its main thread (`npm run bench:load -- --groups 1 --size 1000 --cpu-prof`).
 */
export function setChatEntry(doc: Y.Doc, roomId: RoomId, entry: Omit<ChatEntry, 'roomId'>): void {
  chatsMap(doc).set(roomId, entry);
  storedChatEntry.vouch(entry);
}

/** Chat entries already validated: a projection reads every member's entry of its room, each time. */
const storedChatEntry = validatedOnce<Omit<ChatEntry, 'roomId'>>(chatEntrySchema);

/**
 * Server only: one chat's entry, or null. A new object each call, whose `lastMessage` is
 * the doc's own, frozen ({@link validatedOnce}): a large group's projection read and
 * parsed every member's entry, a twentieth of its main thread in a CPU profile.
 */
export function readChatEntry(doc: Y.Doc, roomId: RoomId): ChatEntry | null {
  const entry = storedChatEntry(chatsMap(doc).get(roomId));
  return entry ? ({ ...entry, roomId } as ChatEntry) : null;
}

/** The chat index, most recent first. */
export function readChats(doc: Y.Doc): ChatEntry[] {
  const out: ChatEntry[] = [];
  chatsMap(doc).forEach((value, key) => {
    const parsed = chatEntrySchema.safeParse(value);
    if (parsed.success) out.push({ ...parsed.data, roomId: key as RoomId } as ChatEntry);
  });
  return out.sort((a, b) => b.updatedAt - a.updatedAt);
}

function stateMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(INBOX.state);
}

/** Key prefix, in the owner's `state`, of a chat this user started that the index may not list yet. */
const LOCAL_ROOM_PREFIX = 'room:';

const localRoomSchema = z
  .object({
    kind: z.enum(['dm', 'group']),
    /** Group name, or the DM peer's display name when the chat was started. */
    title: z.string(),
    peerId: z.string().optional(),
    createdAt: z.number(),
  })
  .strict();

/**
 * A chat this user started (a DM or a group) that the server's chat index does not
 * list yet: started offline, or not yet seen by the server. The index is server-written,
 * so without this the new chat would be missing from the list until the server
 * answers; kept in the owner's `state`, it also reaches the user's other devices.
 */
export type LocalRoom = z.infer<typeof localRoomSchema> & { roomId: RoomId; peerId?: UserId };

/** Owner: remembers a chat this user started, unless the index lists it already. */
export function addLocalRoom(doc: Y.Doc, roomId: RoomId, room: Omit<LocalRoom, 'roomId'>): void {
  if (readChatEntry(doc, roomId)) return;
  stateMap(doc).set(`${LOCAL_ROOM_PREFIX}${roomId}`, { ...room });
}

/** The chats this user started that the index does not list yet. */
function readLocalRooms(doc: Y.Doc): LocalRoom[] {
  const out: LocalRoom[] = [];
  stateMap(doc).forEach((value, key) => {
    if (!key.startsWith(LOCAL_ROOM_PREFIX)) return;
    const roomId = key.slice(LOCAL_ROOM_PREFIX.length) as RoomId;
    const parsed = localRoomSchema.safeParse(value);
    if (parsed.success && !chatsMap(doc).has(roomId)) out.push({ ...parsed.data, roomId } as LocalRoom);
  });
  return out;
}

/** Owner: forgets the started chats the index now lists; true when it removed any. */
export function pruneLocalRooms(doc: Y.Doc): boolean {
  const state = stateMap(doc);
  const indexed = [...state.keys()].filter((key) => key.startsWith(LOCAL_ROOM_PREFIX) && chatsMap(doc).has(key.slice(LOCAL_ROOM_PREFIX.length)));
  if (indexed.length === 0) return false;
  doc.transact(() => indexed.forEach((key) => state.delete(key)));
  return true;
}

/**
 * What the chat list shows, most recent first: the chat index, and the chats this
 * user started that it does not list yet (as entries without messages).
 */
export function readChatList(doc: Y.Doc): ChatEntry[] {
  const started = readLocalRooms(doc).map((room): ChatEntry => ({ roomId: room.roomId, kind: room.kind, title: room.title, peerId: room.peerId, count: 0, updatedAt: room.createdAt }));
  return [...readChats(doc), ...started].sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Key prefix, in the owner's `state`, of a message this user deleted for themself only. */
const HIDDEN_MESSAGE_PREFIX = 'hidden:';

/** Owner: hides a message on this user's devices only ("delete for me"); the value is when. */
export function hideMessageForMe(doc: Y.Doc, messageId: MessageId, at: number): void {
  stateMap(doc).set(`${HIDDEN_MESSAGE_PREFIX}${messageId}`, at);
}

/** The messages this user deleted for themself. */
export function readHiddenMessages(doc: Y.Doc): Set<MessageId> {
  const out = new Set<MessageId>();
  for (const key of stateMap(doc).keys()) {
    if (key.startsWith(HIDDEN_MESSAGE_PREFIX)) out.add(key.slice(HIDDEN_MESSAGE_PREFIX.length) as MessageId);
  }
  return out;
}

/**
 * The owner's own state of one chat, kept in `state` under flat keys
 * (`read:<roomId>`, `draft:<roomId>`, `pin:<roomId>`, `mute:<roomId>`,
 * `archive:<roomId>`) so every device of the owner shares it.
 */
export interface ChatState {
  /** How many of the room's messages (the index's `count`) the owner has seen. */
  readCount: number;
  draft?: Draft;
  pinnedAt?: number;
  /** Muted until then (ms since the epoch); {@link MUTED_FOREVER} for "always". */
  mutedUntil?: number;
  archivedAt?: number;
  /** What the owner wants to be notified of in this chat; absent means `all`. */
  notify?: Exclude<NotifyLevel, 'all'>;
}

/**
 * Per-chat notification level, kept under `notify:<roomId>` (absent = `all`): `mentions`
 * notifies only messages that mention the owner (and what happens to them: added,
 * removed, made admin), `off` notifies nothing from the chat. Unlike a mute it does not
 * run out.
 */
const NOTIFY_LEVELS = ['all', 'mentions', 'off'] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];
const notifyLevelSchema = z.enum(['mentions', 'off']);

const draftSchema = z.object({ text: z.string().min(1).max(MAX_MESSAGE_TEXT), at: z.number() }).strict();
export type Draft = z.infer<typeof draftSchema>;

export const MUTED_FOREVER = Number.MAX_SAFE_INTEGER;
/** At most this many chats are pinned, as in WhatsApp. */
export const MAX_PINNED = 3;

const CHAT_STATE_KEYS = { read: 'read:', draft: 'draft:', pin: 'pin:', mute: 'mute:', archive: 'archive:', notify: 'notify:' } as const;
type ChatStateKey = keyof typeof CHAT_STATE_KEYS;

const count = z.number().int().nonnegative();
const CHAT_STATE_VALUES: Record<ChatStateKey, z.ZodType> = { read: count, draft: draftSchema, pin: count, mute: count, archive: count, notify: notifyLevelSchema };

/** The owner's state of every chat that has any. */
export function readChatStates(doc: Y.Doc): Map<RoomId, ChatState> {
  const out = new Map<RoomId, ChatState>();
  stateMap(doc).forEach((value, key) => {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon + 1);
    const field = (Object.keys(CHAT_STATE_KEYS) as ChatStateKey[]).find((k) => CHAT_STATE_KEYS[k] === kind);
    if (!field || !CHAT_STATE_VALUES[field].safeParse(value).success) return;
    const roomId = key.slice(colon + 1) as RoomId;
    const state = out.get(roomId) ?? { readCount: 0 };
    if (field === 'read') state.readCount = value as number;
    else if (field === 'draft') state.draft = value as Draft;
    else if (field === 'pin') state.pinnedAt = value as number;
    else if (field === 'mute') state.mutedUntil = value as number;
    else if (field === 'notify') state.notify = value as Exclude<NotifyLevel, 'all'>;
    else state.archivedAt = value as number;
    out.set(roomId, state);
  });
  return out;
}

/** Owner: sets or (with `null`) clears one field of a chat's state; unchanged values are not rewritten. */
export function setChatState(doc: Y.Doc, roomId: RoomId, field: Exclude<ChatStateKey, 'read' | 'notify'>, value: number | Draft | null): void {
  writeChatState(doc, roomId, field, value);
}

/** Owner: sets a chat's notification level (`all` deletes the key: it is the default). */
export function setNotifyLevel(doc: Y.Doc, roomId: RoomId, level: NotifyLevel): void {
  writeChatState(doc, roomId, 'notify', level === 'all' ? null : level);
}

function writeChatState(doc: Y.Doc, roomId: RoomId, field: Exclude<ChatStateKey, 'read'>, value: number | string | Draft | null): void {
  const key = `${CHAT_STATE_KEYS[field]}${roomId}`;
  const map = stateMap(doc);
  if (value === null) {
    if (map.has(key)) map.delete(key);
  } else if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) {
    map.set(key, typeof value === 'object' ? { ...value } : value);
  }
}

/** Owner: marks the chat read up to `count` messages (never backwards). */
export function markChatRead(doc: Y.Doc, roomId: RoomId, count: number): boolean {
  const key = `${CHAT_STATE_KEYS.read}${roomId}`;
  const current = stateMap(doc).get(key);
  if (count === 0 || (typeof current === 'number' && current >= count)) return false;
  stateMap(doc).set(key, count);
  return true;
}

/**
 * Calls `listener` with each chat whose read mark (`read:<roomId>`) a change moved, and
 * the new mark; O(keys changed). The server uses it to withdraw a push about messages
 * the owner has since read on some device.
 */
export function onReadMarks(doc: Y.Doc, listener: (roomId: RoomId, readCount: number) => void): () => void {
  const state = stateMap(doc);
  const handler = (event: Y.YMapEvent<unknown>) => {
    for (const key of event.keysChanged) {
      if (!key.startsWith(CHAT_STATE_KEYS.read)) continue;
      const value = state.get(key);
      if (count.safeParse(value).success) listener(key.slice(CHAT_STATE_KEYS.read.length) as RoomId, value as number);
    }
  };
  state.observe(handler);
  return () => state.unobserve(handler);
}

/** Messages in a chat its owner has not seen (their own latest message means they have seen the chat). */
export function unreadCount(entry: ChatEntry, state: ChatState | undefined, me: UserId): number {
  if (!entry.lastMessage || entry.lastMessage.authorId === me) return 0;
  return Math.max(0, entry.count - Math.max(state?.readCount ?? 0, entry.ownThrough ?? 0));
}

/** Key prefix, in the owner's `state`, of a message this user starred. */
const STARRED_MESSAGE_PREFIX = 'star:';

/**
 * A starred message, as kept under `star:<messageId>`: where it is (room and bucket, so
 * the "Starred messages" view opens the chat at it) and what it said when starred (so
 * the view lists it without opening every chat's history), and when it was starred.
 */
const starredMessageSchema = z
  .object({
    roomId: z.string().max(80),
    bucket: z.number().int().nonnegative(),
    authorId: z.string().max(80),
    preview: z.string().max(PREVIEW_LENGTH),
    createdAt: z.number().int().nonnegative(),
    at: z.number().int().nonnegative(),
  })
  .strict();

/** A starred message with its id, as {@link readStarredMessages} lists it. */
export type StarredMessage = Omit<z.infer<typeof starredMessageSchema>, 'roomId' | 'authorId'> & { messageId: MessageId; roomId: RoomId; authorId: UserId };

/** Owner: stars a message (on every device of this user); starring again only refreshes it. */
export function starMessage(doc: Y.Doc, messageId: MessageId, starred: Omit<StarredMessage, 'messageId'>): void {
  stateMap(doc).set(`${STARRED_MESSAGE_PREFIX}${messageId}`, {
    roomId: starred.roomId,
    bucket: starred.bucket,
    authorId: starred.authorId,
    preview: starred.preview,
    createdAt: starred.createdAt,
    at: starred.at,
  });
}

/** Owner: removes a star. */
export function unstarMessage(doc: Y.Doc, messageId: MessageId): void {
  stateMap(doc).delete(`${STARRED_MESSAGE_PREFIX}${messageId}`);
}

/** This user's starred messages, the most recently starred first; malformed entries are skipped. */
export function readStarredMessages(doc: Y.Doc): StarredMessage[] {
  const out: StarredMessage[] = [];
  stateMap(doc).forEach((value, key) => {
    if (!key.startsWith(STARRED_MESSAGE_PREFIX)) return;
    const parsed = starredMessageSchema.safeParse(value);
    if (parsed.success) out.push({ ...parsed.data, messageId: key.slice(STARRED_MESSAGE_PREFIX.length) as MessageId, roomId: parsed.data.roomId as RoomId, authorId: parsed.data.authorId as UserId });
  });
  return out.sort((a, b) => b.at - a.at);
}

/** Whether a message mentioning the owner came after what they have seen. */
export function hasUnreadMention(entry: ChatEntry, state: ChatState | undefined): boolean {
  return entry.mentionedAt !== undefined && entry.mentionedAt > (state?.readCount ?? 0);
}

/** Until when the owner muted one chat (one key read, where {@link readChatStates} reads them all); undefined if not muted. */
export function chatMutedUntil(doc: Y.Doc, roomId: RoomId): number | undefined {
  const value = stateMap(doc).get(`${CHAT_STATE_KEYS.mute}${roomId}`);
  return CHAT_STATE_VALUES.mute.safeParse(value).success ? (value as number) : undefined;
}

/** The owner's notification level of one chat (one key read; a malformed value counts as the default). */
export function chatNotifyLevel(doc: Y.Doc, roomId: RoomId): NotifyLevel {
  return notifyLevelSchema.safeParse(stateMap(doc).get(`${CHAT_STATE_KEYS.notify}${roomId}`)).data ?? 'all';
}

/**
 * Whether something in a chat is announced (desktop notification, Web Push) to its
 * owner: `personal` is a mention of them or an event about them (added, removed, made
 * admin). A mute or the `mentions` level lets only personal ones through; `off` none.
 */
export function shouldNotify(level: NotifyLevel, muted: boolean, personal: boolean): boolean {
  if (level === 'off') return false;
  if (level === 'mentions' || muted) return personal;
  return true;
}

/** {@link shouldNotify} for one chat of the owner's inbox, read from its keys at `now`. */
export function chatAnnounces(doc: Y.Doc, roomId: RoomId, now: number, personal: boolean): boolean {
  return shouldNotify(chatNotifyLevel(doc, roomId), (chatMutedUntil(doc, roomId) ?? 0) > now, personal);
}

export function isMuted(state: ChatState | undefined, now: number): boolean {
  return (state?.mutedUntil ?? 0) > now;
}

/** Schemas of the owner's `state` values, by key prefix: every key the client writes has one. */
const STATE_VALUES: ReadonlyArray<[prefix: string, schema: z.ZodType]> = [
  ...(Object.keys(CHAT_STATE_KEYS) as ChatStateKey[]).map((field): [string, z.ZodType] => [CHAT_STATE_KEYS[field], CHAT_STATE_VALUES[field]]),
  [LOCAL_ROOM_PREFIX, localRoomSchema],
  [HIDDEN_MESSAGE_PREFIX, count],
  [STARRED_MESSAGE_PREFIX, starredMessageSchema],
];

/**
 * Whether a value may be stored under `key` of the owner's `state` (the guard's check):
 * a known prefix followed by an id, and a value of that prefix's shape.
 */
export function isValidStateEntry(key: string, value: unknown): boolean {
  const entry = STATE_VALUES.find(([prefix]) => key.startsWith(prefix));
  if (!entry || key.length === entry[0].length || key.length > entry[0].length + 80) return false;
  return entry[1].safeParse(value).success;
}

/**
 * Calls `listener` after each change that rewrote a chat's preview of the same last
 * message, or a notification's preview of its message (the server's answer to an
 * edit or a deletion for everyone), with the
 * change's origin: the old preview is then a deleted value that stored copies of the
 * inbox still hold until they are rewritten. O(keys changed).
 */
export function onPreviewRewritten(doc: Y.Doc, listener: (origin: unknown) => void): () => void {
  const chats = chatsMap(doc);
  // Read as plain values, not through the entry's schema: this runs on every write of
  // every inbox (a projection writes each member's), and a wrong guess costs only a compaction.
  const lastMessageOf = (entry: unknown) => (entry as { lastMessage?: { id?: unknown; preview?: unknown } } | null | undefined)?.lastMessage;
  const handler = (event: Y.YMapEvent<unknown>) => {
    for (const [key, change] of event.changes.keys) {
      if (change.action !== 'update') continue;
      const before = lastMessageOf(change.oldValue);
      const after = lastMessageOf(chats.get(key));
      if (before?.id !== undefined && before.id === after?.id && before.preview !== after.preview) {
        listener(event.transaction.origin);
        return;
      }
    }
  };
  chats.observe(handler);
  // A notification quoting that message gets the same rewrite (`schema/docs/notifications.ts`).
  const notifications = doc.getMap<unknown>(INBOX.notifications);
  const notificationHandler = (event: Y.YMapEvent<unknown>) => {
    for (const [key, change] of event.changes.keys) {
      if (change.action !== 'update') continue;
      const before = change.oldValue as { messageId?: unknown; preview?: unknown } | undefined;
      const after = notifications.get(key) as { messageId?: unknown; preview?: unknown } | undefined;
      if (before?.messageId !== undefined && before.messageId === after?.messageId && before.preview !== after.preview) {
        listener(event.transaction.origin);
        return;
      }
    }
  };
  notifications.observe(notificationHandler);
  return () => {
    chats.unobserve(handler);
    notifications.unobserve(notificationHandler);
  };
}
