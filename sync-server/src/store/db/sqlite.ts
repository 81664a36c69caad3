// Over 300 lines: every SQLite table in one file, which drizzle-kit reads whole and pg.ts mirrors line for line.
/**
 * SQLite tables for the {@link Store} (the embedded default). Keep in step with
 * `pg.ts`: same tables, columns and indexes, so that one contract suite holds for both.
 * After changing either file run `npm run db:generate` and commit the migrations.
 *
 * Times are integer milliseconds since the epoch.
 */
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { RoomId, UserId } from '#schema/ids';
import type { MemberRole } from '#schema/docs/roomHead';
import type { ReceiptKind } from '#schema/docs/receipts';
import type { Audience, GroupAdders } from '#schema/privacy';
import type { RoomRow, Store } from './store';

/** Accounts. `username` is stored lowercase, so its unique constraint is case-insensitive. */
export const users = sqliteTable('users', {
  id: text('id').$type<UserId>().primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  email: text('email').unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at'),
  /** The "about" line of the profile; null until set. */
  about: text('about'),
  /** Privacy settings (`schema/privacy.ts`); the defaults are `DEFAULT_PRIVACY`'s. */
  lastSeenAudience: text('last_seen_audience').$type<Audience>().notNull().default('everyone'),
  profileAudience: text('profile_audience').$type<Audience>().notNull().default('everyone'),
  readReceipts: integer('read_receipts', { mode: 'boolean' }).notNull().default(true),
  groupAdd: text('group_add').$type<GroupAdders>().notNull().default('everyone'),
  /** Whether push notifications carry message text ("Show message preview"). */
  pushPreview: integer('push_preview', { mode: 'boolean' }).notNull().default(true),
  /** The profile photo: the blob (SHA-256, hex) of its 512 px square WebP; null for none. */
  photo: text('photo'),
  /**
   * When the account was deleted (anonymised: no password, e-mail, about or sessions;
   * the name reads "Deleted account"); null while it is live.
   */
  deletedAt: integer('deleted_at'),
});

/** Sessions, keyed by the SHA-256 of the token so a leaked table grants nothing. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .$type<UserId>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    /** The User-Agent that signed in, for the devices list (cut to 512 characters). */
    userAgent: text('user_agent'),
    /** Last use, kept to the minute, for the devices list. */
    lastActiveAt: integer('last_active_at'),
  },
  // "Log out everywhere" and password resets delete by user.
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

/** Password reset tokens, hashed like sessions and deleted when used. */
export const resetTokens = sqliteTable('reset_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .$type<UserId>()
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
});

/**
 * Who blocked whom: the blocker no longer hears from the blocked person (DM writes
 * refused, presence and last seen hidden). Both ends are looked up, so both are indexed.
 */
export const blocks = sqliteTable(
  'blocks',
  {
    blockerId: text('blocker_id')
      .$type<UserId>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: text('blocked_id')
      .$type<UserId>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] }), index('blocks_blocked_id_idx').on(t.blockedId)],
);

/** Rooms, projected from room heads so access checks need no Yjs doc. */
export const rooms = sqliteTable('rooms', {
  id: text('id').$type<RoomId>().primaryKey(),
  kind: text('kind').$type<RoomRow['kind']>().notNull(),
  createdBy: text('created_by').$type<UserId>().notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Room memberships, projected from room heads; replaced as a whole on every projection. */
export const roomMembers = sqliteTable(
  'room_members',
  {
    roomId: text('room_id')
      .$type<RoomId>()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: text('user_id').$type<UserId>().notNull(),
    role: text('role').$type<MemberRole>().notNull(),
  },
  // The chat list asks "which rooms is this user in", the reverse of the primary key.
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index('room_members_user_id_idx').on(t.userId)],
);

/**
 * People who left a group or were removed from it, with the last bucket they may still
 * read: the one holding the line that ended their membership (the server starts a new
 * bucket after it). Kept when they are added back, so a later departure only moves it on.
 */
export const formerMembers = sqliteTable(
  'former_members',
  {
    roomId: text('room_id')
      .$type<RoomId>()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: text('user_id').$type<UserId>().notNull(),
    throughBucket: integer('through_bucket').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/**
 * Chats with disappearing messages on: messages sent at or after `since` go `after_ms`
 * after they were sent. `checked_bucket` is the first bucket the server's expiry pass
 * still reads (those before hold nothing left to remove). A chat turned off has no row.
 */
export const disappearingRooms = sqliteTable('disappearing_rooms', {
  roomId: text('room_id')
    .$type<RoomId>()
    .primaryKey()
    .references(() => rooms.id, { onDelete: 'cascade' }),
  afterMs: integer('after_ms').notNull(),
  since: integer('since').notNull(),
  checkedBucket: integer('checked_bucket').notNull(),
});

/**
 * Group invite links: the SHA-256 of the link's random token (the token itself is shown
 * to the admin once and never stored), the group, who made it and when; `revoked_at` is
 * set when an admin turns it off or makes a new one (a group has at most one that works).
 */
export const groupInvites = sqliteTable(
  'group_invites',
  {
    tokenHash: text('token_hash').primaryKey(),
    roomId: text('room_id')
      .$type<RoomId>()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').$type<UserId>().notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('group_invites_room_id_idx').on(t.roomId)],
);

/** Yjs client ids, owned by the first user who wrote with them (see {@link Store.claimClientIds}). */
export const clientIds = sqliteTable('client_ids', {
  clientId: integer('client_id').primaryKey(),
  userId: text('user_id').$type<UserId>().notNull(),
});

/** The append-only Yjs update log; `id` gives the append order. */
export const docUpdates = sqliteTable(
  'doc_updates',
  {
    // AUTOINCREMENT so ids are never reused after compaction deletes the newest rows.
    id: integer('id').primaryKey({ autoIncrement: true }),
    docName: text('doc_name').notNull(),
    update: blob('update', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('doc_updates_doc_name_id_idx').on(t.docName, t.id)],
);

/** One merged snapshot per doc; the log rows folded into it are deleted. */
export const docSnapshots = sqliteTable('doc_snapshots', {
  docName: text('doc_name').primaryKey(),
  snapshot: blob('snapshot', { mode: 'buffer' }).notNull(),
  /** The highest log row id folded into this snapshot: catching up after it needs the snapshot again. */
  coversId: integer('covers_id').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * How far each member's devices have received and read a room (design §5b), the
 * truth the room's receipt aggregate is folded from. Null: nothing reported yet.
 */
export const receiptPositions = sqliteTable(
  'receipt_positions',
  {
    roomId: text('room_id').$type<RoomId>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    deliveredBucket: integer('delivered_bucket'),
    deliveredIndex: integer('delivered_index'),
    readBucket: integer('read_bucket'),
    readIndex: integer('read_index'),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/**
 * Every advance of a member's receipts with its time, for "Message info" (when did
 * each member get and read this message). A member's steps of one kind only move
 * forward, in time as in position, so the first time they covered a message is their
 * first step at or past it: one index seek per member, however long the history.
 */
export const receiptSteps = sqliteTable(
  'receipt_steps',
  {
    roomId: text('room_id').$type<RoomId>().notNull(),
    bucket: integer('bucket').notNull(),
    index: integer('idx').notNull(),
    kind: text('kind').$type<ReceiptKind>().notNull(),
    userId: text('user_id').$type<UserId>().notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId, t.kind, t.bucket, t.index] })],
);

/**
 * Uploaded files. `id` is random (unguessable, and never derived from the content, so
 * knowing a file's bytes does not give its URL); `sha256` names the stored blob, shared
 * by every upload of the same bytes. `thumbSha256` is an image's thumbnail blob.
 */
export const files = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    roomId: text('room_id').$type<RoomId>().notNull(),
    uploaderId: text('uploader_id').$type<UserId>().notNull(),
    name: text('name').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    width: integer('width'),
    height: integer('height'),
    thumbhash: text('thumbhash'),
    sha256: text('sha256').notNull(),
    thumbSha256: text('thumb_sha256'),
    createdAt: integer('created_at').notNull(),
    /** When the guard first accepted a message attaching it; null: never sent (the sweep removes it after the grace period). */
    referencedAt: integer('referenced_at'),
    /** When its message was deleted for everyone: no longer served, and the sweep removes the row. */
    deletedAt: integer('deleted_at'),
  },
  // The quota sums a user's files; the sweep finds unsent and deleted ones; a blob is kept while a live row names it.
  (t) => [
    index('files_uploader_id_idx').on(t.uploaderId),
    index('files_created_at_idx').on(t.createdAt),
    index('files_deleted_at_idx').on(t.deletedAt),
    index('files_sha256_idx').on(t.sha256),
    index('files_thumb_sha256_idx').on(t.thumbSha256),
  ],
);

/**
 * Rooms with messages not yet projected into members' chat indexes: a row is written in
 * the same transaction as the bucket update that needs it, and deleted by the
 * projection that covered it, so after a crash the rows name exactly the rooms to
 * recompute (design §5b).
 */
export const projectionMarks = sqliteTable(
  'projection_marks',
  {
    roomId: text('room_id').$type<RoomId>().notNull(),
    bucket: integer('bucket').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.bucket] })],
);

/**
 * How far each bucket is projected: its first `length` entries, of which `messages`
 * are messages (not system lines). Written in the same transaction as the inbox
 * updates of that projection, so a projection is applied once: never lost, never doubled.
 */
export const projectionWatermarks = sqliteTable(
  'projection_watermarks',
  {
    roomId: text('room_id').$type<RoomId>().notNull(),
    bucket: integer('bucket').notNull(),
    length: integer('length').notNull(),
    messages: integer('messages').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.bucket] })],
);

/**
 * Web Push subscriptions, one per browser of a session (`endpoint` is the push
 * service's URL for that browser). Deleted with the session (sign-out, a revoked
 * device, a password change) and when the push service answers 404/410.
 */
export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    endpoint: text('endpoint').primaryKey(),
    sessionHash: text('session_hash')
      .notNull()
      .references(() => sessions.tokenHash, { onDelete: 'cascade' }),
    userId: text('user_id')
      .$type<UserId>()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // Sending looks subscriptions up by user; the cascade from sessions by session.
  (t) => [index('push_subscriptions_user_id_idx').on(t.userId), index('push_subscriptions_session_hash_idx').on(t.sessionHash)],
);

/**
 * Server-wide settings every process shares, such as the VAPID key pair generated on
 * first start: the first process to insert a key wins, and every other reads it.
 */
export const serverSettings = sqliteTable('server_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
