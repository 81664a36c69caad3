import type * as Y from 'yjs';
import { z } from 'zod';
import type { MessageId, RoomId, UserId } from '../ids';
import { INBOX } from './inbox';
import { PREVIEW_LENGTH, previewOf } from './message';
import { MAX_REACTION } from './bucket';

/**
 * The notification list of an inbox doc (`inbox/<userId>`, root {@link INBOX.notifications}):
 * a map from an item's key to the item, written by the server's projections only, in the
 * same per-inbox write that updates the chat index. Keys are derived from what caused the
 * item (`mention:<messageId>`, `added:<systemLineId>`…), so a projection that runs again
 * after a crash rewrites an item instead of adding it twice.
 *
 * Read state is the owner's, in the inbox's `state` root (so it follows them to every
 * device and works offline): a watermark {@link NOTIFICATIONS_READ_THROUGH} ("every item
 * up to this time is read", one write for "Mark all read") and per-item keys
 * `notifRead:<itemKey>` for the items read one by one since.
 */

/** What happened, as the list words it ("Bob mentioned you", "Bob added you"…). */
const NOTIFICATION_KINDS = ['mention', 'reply', 'reaction', 'added', 'removed', 'made_admin'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The list keeps the newest this many items; a write that goes past it drops the oldest, so the doc stays small. */
export const MAX_NOTIFICATIONS = 200;

const notificationSchema = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS),
    roomId: z.string().max(80),
    /** The message it is about (a mention, a reply, a reaction) or the system line it comes from. */
    messageId: z.string().max(80).optional(),
    /** The bucket that holds that message, so the list opens the chat at it. */
    bucket: z.number().int().nonnegative().optional(),
    /** Who did it. */
    actorId: z.string().max(80),
    /** Their display name when it happened, for a device that does not know them yet. */
    actorName: z.string().max(200),
    /** The room's title when it happened (the chat index's title is preferred when the list shows it). */
    roomTitle: z.string().max(200),
    /** A short, cut preview of the message ({@link previewOf}); empty for membership events. */
    preview: z.string().max(PREVIEW_LENGTH),
    /** When the server recorded it (ms since the epoch): the list's order and the read watermark's scale. */
    at: z.number().int().nonnegative(),
    /** A reaction's emoji. */
    emoji: z.string().max(MAX_REACTION).optional(),
  })
  .strict();

type NotificationValue = z.infer<typeof notificationSchema>;

/** One notification with its key, as {@link readNotifications} lists it. */
export type Notification = Omit<NotificationValue, 'roomId' | 'messageId' | 'actorId'> & {
  key: string;
  roomId: RoomId;
  messageId?: MessageId;
  actorId: UserId;
};

/** State key of the read watermark: every item with `at` ≤ its value is read. */
export const NOTIFICATIONS_READ_THROUGH = 'notifReadThrough';
/** State key prefix of one item read on its own: `notifRead:<itemKey>`, valued when it was read. */
const NOTIFICATION_READ_PREFIX = 'notifRead:';

/** The key of the item `kind` caused by message (or system line) `sourceId`; a reaction also names its author. */
export function notificationKey(kind: NotificationKind, sourceId: string, reactor?: UserId): string {
  return reactor ? `${kind}:${sourceId}:${reactor}` : `${kind}:${sourceId}`;
}

function listMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(INBOX.notifications);
}

function stateMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(INBOX.state);
}

/**
 * Server only: adds (or rewrites) items, newest last, then drops the oldest past
 * {@link MAX_NOTIFICATIONS}. Previews are cut here, so callers may pass a message's
 * whole text.
 */
export function addNotifications(doc: Y.Doc, items: readonly Notification[]): void {
  if (items.length === 0) return;
  const list = listMap(doc);
  // Times strictly increase within a list, in the order items were added: items of one
  // projection share the server's clock reading, and the cap, the order and the read
  // watermark all need one total order (a few ms off the clock at most).
  let newest = 0;
  list.forEach((value) => (newest = Math.max(newest, atOf(value))));
  doc.transact(() => {
    for (const { key, ...item } of items) {
      newest = Math.max(item.at, newest + 1);
      list.set(key, { ...item, at: newest, preview: previewOf(item.preview) });
    }
    trimNotifications(list);
  });
}

/** An item's `at`, read without a full parse (this runs in the projection's per-inbox write); -1 if it has none. */
function atOf(value: unknown): number {
  const at = (value as { at?: unknown } | undefined)?.at;
  return typeof at === 'number' ? at : -1;
}

/** Drops the oldest items past the cap (by `at`, then key, so every replica picks the same ones). */
function trimNotifications(list: Y.Map<unknown>): void {
  const keys = [...list.keys()];
  if (keys.length <= MAX_NOTIFICATIONS) return;
  keys.sort((a, b) => atOf(list.get(a)) - atOf(list.get(b)) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys.slice(0, keys.length - MAX_NOTIFICATIONS)) list.delete(key);
}

/**
 * Server only: the reaction items of one projection. An item whose emoji is unchanged
 * is left alone (a repeated projection neither duplicates nor re-raises it); a changed
 * reaction rewrites its item, newest again; a withdrawn reaction removes its item.
 */
export function applyReactionNotifications(doc: Y.Doc, set: readonly Notification[], removed: readonly string[]): void {
  const list = listMap(doc);
  const changed = set.filter((item) => notificationSchema.safeParse(list.get(item.key)).data?.emoji !== item.emoji);
  const gone = removed.filter((key) => list.has(key));
  if (changed.length === 0 && gone.length === 0) return;
  doc.transact(() => {
    for (const key of gone) list.delete(key);
    addNotifications(doc, changed);
  });
}

/** Server only: rewrites the preview of the items about `messageId` (after an edit or a deletion for everyone). */
export function rewriteNotificationPreviews(doc: Y.Doc, messageId: MessageId, shown: string): void {
  const list = listMap(doc);
  const preview = previewOf(shown);
  list.forEach((value, key) => {
    const parsed = notificationSchema.safeParse(value);
    if (parsed.success && parsed.data.messageId === messageId && parsed.data.preview !== preview) list.set(key, { ...parsed.data, preview });
  });
}

/** The list, newest first; malformed items are skipped. */
export function readNotifications(doc: Y.Doc): Notification[] {
  const out: Notification[] = [];
  listMap(doc).forEach((value, key) => {
    const parsed = notificationSchema.safeParse(value);
    if (parsed.success) out.push({ ...parsed.data, key } as Notification);
  });
  return out.sort((a, b) => b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

/** The owner's read state of the list: the watermark and the items read one by one. */
export interface NotificationReadState {
  readThrough: number;
  read: ReadonlySet<string>;
}

export function readNotificationReadState(doc: Y.Doc): NotificationReadState {
  const state = stateMap(doc);
  const through = state.get(NOTIFICATIONS_READ_THROUGH);
  const read = new Set<string>();
  for (const key of state.keys()) if (key.startsWith(NOTIFICATION_READ_PREFIX)) read.add(key.slice(NOTIFICATION_READ_PREFIX.length));
  return { readThrough: typeof through === 'number' ? through : 0, read };
}

export function isNotificationRead(item: Pick<Notification, 'key' | 'at'>, state: NotificationReadState): boolean {
  return item.at <= state.readThrough || state.read.has(item.key);
}

/** How many items of the list are unread. */
export function unreadNotificationCount(doc: Y.Doc): number {
  const state = readNotificationReadState(doc);
  return readNotifications(doc).filter((item) => !isNotificationRead(item, state)).length;
}

/** Owner: marks one item read (on every device of this user); `now` is when. */
export function markNotificationRead(doc: Y.Doc, key: string, now: number): void {
  const state = stateMap(doc);
  const item = notificationSchema.safeParse(listMap(doc).get(key)).data;
  if (item && isNotificationRead({ key, at: item.at }, readNotificationReadState(doc))) return;
  state.set(`${NOTIFICATION_READ_PREFIX}${key}`, now);
}

/**
 * Owner: marks the whole list read, by moving the watermark to its newest item, and
 * forgets the per-item read keys that the watermark now covers or whose item is gone.
 */
export function markAllNotificationsRead(doc: Y.Doc): void {
  const items = readNotifications(doc);
  const state = stateMap(doc);
  const newest = items[0]?.at ?? 0;
  doc.transact(() => {
    const current = state.get(NOTIFICATIONS_READ_THROUGH);
    if (newest > (typeof current === 'number' ? current : 0)) state.set(NOTIFICATIONS_READ_THROUGH, newest);
    const through = Math.max(newest, typeof current === 'number' ? current : 0);
    const kept = new Set(items.filter((item) => item.at > through).map((item) => item.key));
    for (const key of [...state.keys()]) {
      if (key.startsWith(NOTIFICATION_READ_PREFIX) && !kept.has(key.slice(NOTIFICATION_READ_PREFIX.length))) state.delete(key);
    }
  });
}

/** Built once: the guard asks about every inbox state entry a client writes, and building a schema costs more than using it. */
const readTimeSchema = z.number().int().nonnegative();

/**
 * Whether `key` of the owner's `state` is one of the notification read keys, and if so
 * whether `value` has its shape (a time in ms). The guard also bounds the watermark by
 * its clock, so no write can mark the future read.
 */
export function notificationStateEntry(key: string, value: unknown): 'not-mine' | 'ok' | 'bad' {
  if (key === NOTIFICATIONS_READ_THROUGH) return readTimeSchema.safeParse(value).success ? 'ok' : 'bad';
  if (!key.startsWith(NOTIFICATION_READ_PREFIX)) return 'not-mine';
  const item = key.slice(NOTIFICATION_READ_PREFIX.length);
  return item.length > 0 && item.length <= 120 && readTimeSchema.safeParse(value).success ? 'ok' : 'bad';
}
