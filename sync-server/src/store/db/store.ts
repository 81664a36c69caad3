// Over 300 lines: the one Store interface, each method with the rule it promises (the contract suite's numbers).
import type { RoomId, UserId } from '#schema/ids';
import type { MemberRole } from '#schema/docs/roomHead';
import type { PushStore } from './pushStore';
import type { ReceiptStore } from './receiptStore';
import type { Audience, GroupAdders, PrivacySettings } from '#schema/privacy';

/**
 * The store contract: everything the sync server keeps in SQL. Two implementations
 * (SQLite via better-sqlite3, Postgres via pg, both through drizzle) pass one contract
 * suite (`storeContract.ts`). Times are milliseconds since the epoch.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Durable write transactions committed by the sync path (doc log, snapshots, rooms,
   * client ids, last seen) and the bytes of doc updates and snapshots they wrote, since
   * the store opened: what the load benchmark reports per message.
   */
  readonly writeStats: WriteStats;

  // users
  /** Creates a user; `{conflict}` names the unique field already taken. */
  createUser(user: NewUser): Promise<{ ok: true } | { conflict: 'username' | 'email' }>;
  getUserById(id: UserId): Promise<UserRow | null>;
  getUserByUsername(username: string): Promise<UserRow | null>;
  getUserByEmail(email: string): Promise<UserRow | null>;
  getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]>;
  /** What a projection shows of these users, each once, unknown ids skipped: not their whole rows, which hold the password hash. */
  getMemberCards(ids: readonly UserId[]): Promise<MemberCard[]>;
  /** Live (not deleted) users whose username or display name starts with `prefix` (case-insensitive), at most `limit`, by username. */
  searchUsers(prefix: string, limit: number): Promise<UserRow[]>;
  setPasswordHash(id: UserId, passwordHash: string): Promise<void>;
  /** Gives the user this e-mail address (lowercased), unless another account has it: then nothing changes and the answer is `taken`. */
  setEmail(id: UserId, email: string): Promise<'ok' | 'taken'>;
  setLastSeen(id: UserId, at: number): Promise<void>;
  /** Changes the fields given of the user's profile; the others stay. */
  setProfile(id: UserId, profile: { displayName?: string; about?: string | null; pushPreview?: boolean; photo?: string | null }): Promise<void>;
  /**
   * Deletes an account in one transaction: its sessions, reset tokens and push
   * subscriptions go; the row stays (messages and rooms name its id) but is anonymised:
   * the display name becomes `displayName`, the e-mail, about line and password are
   * cleared and `deletedAt` is set. The username stays taken until
   * {@link Store.releaseUsername} frees it. Deleting a deleted account changes nothing.
   */
  deleteAccount(id: UserId, at: number, displayName: string): Promise<void>;
  /**
   * Frees `username` if it belongs to an account deleted at or before `deletedBefore`
   * (the row keeps `~<id>`, which no sign-up can ask for); whether it was freed.
   */
  releaseUsername(username: string, deletedBefore: number): Promise<boolean>;
  /** Changes the privacy settings given; the others stay. */
  setPrivacy(id: UserId, settings: Partial<PrivacySettings>): Promise<void>;

  // sessions (only the SHA-256 of the token is ever stored)
  createSession(session: SessionRow): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRow | null>;
  /** The sessions of these token hashes that exist, in no particular order (the sync server's periodic re-check: one read for many). */
  getSessions(tokenHashes: readonly string[]): Promise<SessionRow[]>;
  /** Slides the idle expiry; never past the absolute expiry (the caller computes it). */
  touchSession(tokenHash: string, expiresAt: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteUserSessions(userId: UserId): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;
  /** Every session of the user (expired ones too until they are swept), oldest first. */
  listUserSessions(userId: UserId): Promise<SessionRow[]>;
  /** Records a use of these sessions for the devices list, in one write. */
  markSessionsActive(tokenHashes: readonly string[], at: number): Promise<void>;

  // blocks: who blocked whom
  /** Blocks `blockedId` for `blockerId`; blocking again keeps the first time. */
  blockUser(blockerId: UserId, blockedId: UserId, at: number): Promise<void>;
  unblockUser(blockerId: UserId, blockedId: UserId): Promise<void>;
  /** Whom `blockerId` blocked, most recent first. */
  listBlocked(blockerId: UserId): Promise<{ userId: UserId; at: number }[]>;
  /** Whether `blockerId` blocked `blockedId` (one direction). */
  isBlocked(blockerId: UserId, blockedId: UserId): Promise<boolean>;

  // password reset tokens (hashed, single use)
  createResetToken(row: ResetTokenRow): Promise<void>;
  /** Atomically deletes the token and returns its user if it existed and had not expired at `now`. */
  consumeResetToken(tokenHash: string, now: number): Promise<UserId | null>;

  // rooms and memberships, projected from room heads
  getRoom(id: RoomId): Promise<RoomRow | null>;
  /**
   * Creates the room row if missing and replaces its member list in one transaction;
   * `departed` (people who just left or were removed) are recorded as former members in
   * the same transaction, keeping the later `throughBucket` if they were one before.
   */
  saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[], departed?: readonly FormerMemberRow[]): Promise<void>;
  getRoomMembers(id: RoomId): Promise<RoomMemberRow[]>;
  /** A room's members, in {@link getRoomMembers}' order, each with their {@link MemberCard} (null for an id with no account): one read for a chat-index projection. */
  getRoomMemberCards(id: RoomId): Promise<{ userId: UserId; card: MemberCard | null }[]>;
  getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null>;
  /** The last bucket a former member of the room may read, or null if they never left it. */
  getFormerThrough(roomId: RoomId, userId: UserId): Promise<number | null>;

  // group invite links (hashed tokens)
  /** Stores a new link for the room and revokes (at `createdAt`) any other that still works, in one transaction. */
  createInvite(row: InviteRow): Promise<void>;
  /** Revokes the room's working link, if any; returns how many were revoked. */
  revokeInvites(roomId: RoomId, at: number): Promise<number>;
  /** The link with this token hash, revoked or not; null if none. */
  getInvite(tokenHash: string): Promise<InviteRow | null>;
  /** The room's link that works now, if any. */
  getActiveInvite(roomId: RoomId): Promise<InviteRow | null>;

  // disappearing messages (sync-server/src/sync/disappearing.ts)
  /**
   * Turns a room's disappearing messages on, or changes the period (a room already on
   * keeps its `since` and `checkedBucket`; one turned on starts at `since` and
   * `fromBucket`), or off (null: the row goes). The room row must exist.
   */
  setDisappearing(roomId: RoomId, setting: { afterMs: number; since: number; fromBucket: number } | null): Promise<void>;
  /** Every room with disappearing messages on. */
  listDisappearing(): Promise<DisappearingRow[]>;
  /** The expiry pass read every bucket before `bucket`: the next pass starts there (never moves back). */
  setDisappearingChecked(roomId: RoomId, bucket: number): Promise<void>;

  // Yjs client ids, claimed by the first user who writes with them
  /**
   * Claims each of `clientIds` for `userId` unless already claimed, in one transaction
   * (one durable commit however many ids an update brings), and returns the owner of
   * each id either way.
   */
  claimClientIds(clientIds: readonly number[], userId: UserId): Promise<Map<number, UserId>>;
  /** The owners of those of `clientIds` that someone claimed (a read: claims nothing). */
  getClientIdOwners(clientIds: readonly number[]): Promise<Map<number, UserId>>;

  // document persistence: an append-only update log plus snapshots
  /**
   * Appends one update durably and resolves with its log row id only once committed.
   * Appends arriving together share one transaction (group commit); if that commit
   * fails, every append in it rejects. `mark` also records, in the same transaction,
   * that the room's bucket has messages to project ({@link Store.listProjectionMarks}).
   */
  appendUpdate(docName: string, update: Uint8Array, mark?: ProjectionMark): Promise<number>;
  /** The latest snapshot (or null) and every later log row, in append order; `lastId` is the highest row id read (0 for none). */
  loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }>;
  /**
   * What was appended to a doc after log row `afterId`, in one read: the rows with a
   * higher id in id order, plus the snapshot when a compaction since then folded rows
   * above `afterId` into it. How a node catches a loaded doc up with what other
   * processes appended since the last row it applied (`lastId`: the highest id read).
   */
  loadUpdatesAfter(docName: string, afterId: number): Promise<{ updates: Uint8Array[]; lastId: number }>;

  // projections (design §5b): durable watermarks of the chat-index projection
  /** Every room bucket marked by an append and not yet cleared by a projection. */
  listProjectionMarks(): Promise<ProjectionMark[]>;
  /** How far each bucket of the room is projected. */
  getProjectionWatermarks(roomId: RoomId): Promise<ProjectionWatermark[]>;
  /**
   * One chat-index projection of a room, serialised per room across processes (a
   * Postgres advisory lock; SQLite's single writer and the caller's per-room queue):
   * `project` gets the room's watermarks and returns the server's doc updates (inbox
   * chat entries), the buckets' new watermarks and the marks it covered; all are
   * written in one transaction. `project` reads the log only through the
   * {@link LoadLogsAfter} it is given (the same transaction: no second connection is
   * needed while the lock is held).
   */
  projectRoom(roomId: RoomId, project: (watermarks: ProjectionWatermark[], loadLogsAfter: LoadLogsAfter) => Promise<ProjectionFlush>): Promise<void>;
  countUpdates(docName: string): Promise<number>;
  /**
   * Replaces the snapshot and the log rows it covers with `merge(snapshot, rows)`, in
   * one transaction, serialised per doc across processes: rows appended meanwhile are
   * kept. It waits for a {@link Store.writeDoc} of the doc in progress and folds that
   * write's row (a server write may ask for a compaction as it is applied, before its
   * row commits). Returns how many rows were folded in; with none, it writes nothing.
   */
  compact(docName: string, merge: (snapshot: Uint8Array | null, updates: Uint8Array[]) => Uint8Array): Promise<number>;
  /**
   * A compaction with the garbage-collecting merge (`mergeForSnapshot`), away from the
   * event loop where the store can: SQLite's upkeep thread reads the log, merges with no
   * lock held and writes only if no other compaction of the doc came between (rows
   * appended meanwhile stay); Postgres is {@link Store.compact} with the merge on a thread
   * of its own, except that it does
   * nothing (returns 0) while another holds the doc's lock: another node storing the
   * same doc at the same moment compacts it, and the next store folds what is left.
   * Not ordered after a server write in progress, so a purge, whose compaction must fold
   * the rewrite it just made, uses {@link Store.compact}. Returns how many rows it folded.
   */
  compactAside(docName: string): Promise<number>;
  /**
   * A read-modify-write of a doc through the log, serialised per doc across processes:
   * in one transaction holding the doc's lock, `write` gets the doc's stored state
   * (snapshot and later rows) and returns the update to append, or null for none.
   * `write` must be synchronous. Server-side writes use it so that two processes
   * writing the same key never both work from a stale copy. With `afterId` (the last
   * row the caller's copy holds), `write` gets only what came after it, as
   * {@link Store.loadUpdatesAfter} reads it: O(rows since), not O(log). `lastId` is the
   * highest row id read.
   */
  writeDoc(docName: string, write: (stored: { snapshot: Uint8Array | null; updates: Uint8Array[]; lastId: number }) => Uint8Array | null, afterId?: number): Promise<void>;
  /**
   * Appends server writes of derived data (receipt aggregates), already applied to docs
   * this process alone writes, in one transaction that does not wait for the disk: a
   * power cut may lose them, and they are recomputed (design §5b). Reads nothing and
   * locks no doc, so it is only for a log no other process appends to: with a shared
   * log, server writes go through {@link Store.writeDoc}.
   */
  appendDerived(updates: readonly { docName: string; update: Uint8Array }[]): Promise<void>;
  /** Whether anything was ever stored for the doc. */
  docExists(docName: string): Promise<boolean>;

  /** Members' receipt positions and their advances (design §5b). */
  readonly receipts: ReceiptStore;
  /** Web Push subscriptions per session, and the settings the push sender shares (VAPID keys). */
  readonly push: PushStore;
  // uploaded files (see sync-server/src/files/)
  /** Records a finished upload; ids are random, so a duplicate id is a caller bug and throws. */
  createFile(file: FileRow): Promise<void>;
  getFile(id: string): Promise<FileRow | null>;
  /** The rows of those `ids` that exist, in no particular order. */
  getFiles(ids: readonly string[]): Promise<FileRow[]>;
  /** The bytes a user has uploaded, summed over their files (what the quota limits). */
  userFileBytes(userId: UserId): Promise<number>;
  /** Marks those files as sent in a message at `at` (those already marked keep their first time). */
  markFilesReferenced(ids: readonly string[], at: number): Promise<void>;
  /**
   * Marks those files deleted for everyone at `at`; returns the rows this call marked (not
   * those already deleted) and, as {@link Store.deleteFiles} does, the blobs it freed.
   */
  markFilesDeleted(ids: readonly string[], at: number): Promise<{ files: FileRow[]; freed: string[] }>;
  /**
   * Up to `limit` files the sweep may remove: never sent and stored before `before`, or
   * deleted for everyone before `before`.
   */
  unusedFiles(before: number, limit: number): Promise<FileRow[]>;
  /**
   * Removes those file rows and returns the blobs they named (as bytes or thumbnail) that
   * no file row not deleted for everyone names any more: the ones the caller may remove
   * from the blob store. Decided in the transaction that removes the rows, so of two
   * calls freeing the last rows of one blob at once exactly one names it.
   */
  deleteFiles(ids: readonly string[]): Promise<string[]>;

  /** Readiness: a trivial query. */
  ping(): Promise<void>;
  /**
   * The threads the store runs beside the event loop, by name, with their kernel ids: by
   * these `/metrics` and the load benchmark read their CPU time (`threadCpu.ts`). SQLite's
   * writer and upkeep threads; Postgres' snapshot merges once a compaction started them.
   * Empty where there are none, or where the kernel gives no ids (not Linux).
   */
  threads(): Promise<StoreThread[]>;
  close(): Promise<void>;
}

/** One of {@link Store.threads}. */
export interface StoreThread {
  name: string;
  tid: number;
}

/** A room bucket with appended messages that the chat-index projection has to cover. */
export interface ProjectionMark {
  roomId: RoomId;
  bucket: number;
}

/** The first `length` entries of a bucket are projected; `messages` of them are messages (not system lines). */
export interface ProjectionWatermark extends ProjectionMark {
  length: number;
  messages: number;
}

/**
 * {@link Store.loadUpdatesAfter} for several docs in one read (on Postgres one
 * statement, not two per doc): the answers in the order asked.
 */
export type LoadLogsAfter = (docs: readonly { docName: string; afterId: number }[]) => Promise<{ updates: Uint8Array[]; lastId: number }[]>;

/** What one projection writes: see {@link Store.projectRoom}. */
export interface ProjectionFlush {
  updates: { docName: string; update: Uint8Array }[];
  watermarks: ProjectionWatermark[];
  clear: ProjectionMark[];
}

/** How a store commits its doc log's appends. */
export interface LogOptions {
  /**
   * The least time between the starts of two append commits, in ms (`JECO_COMMIT_SPACING_MS`):
   * appends that arrive meanwhile share the next commit (`groupCommit.ts`). 0 by default.
   */
  commitSpacingMs?: number;
}

/** Counters of {@link Store.writeStats}. */
export interface WriteStats {
  transactions: number;
  bytes: number;
}

export interface NewUser {
  id: UserId;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string;
  createdAt: number;
}

export interface UserRow extends NewUser {
  lastSeenAt: number | null;
  /** The profile's "about" line. */
  about: string | null;
  /** {@link PrivacySettings.lastSeen}. */
  lastSeenAudience: Audience;
  /** {@link PrivacySettings.profile}. */
  profileAudience: Audience;
  readReceipts: boolean;
  groupAdd: GroupAdders;
  /** Whether push notifications carry message text ("Show message preview"; on by default). */
  pushPreview: boolean;
  /** The profile photo's blob (SHA-256 of a square WebP, see `files/`); null for none. */
  photo: string | null;
  /** When the account was deleted ({@link Store.deleteAccount}); null while it is live. */
  deletedAt: number | null;
}

/** What a chat-index projection shows of a person: the name on their messages and notifications, and whether their pushes carry the text. */
export type MemberCard = Pick<UserRow, 'id' | 'displayName' | 'pushPreview'>;

/** A user's privacy settings, from their row. */
export function privacyOf(user: UserRow): PrivacySettings {
  return { lastSeen: user.lastSeenAudience, profile: user.profileAudience, readReceipts: user.readReceipts, groupAdd: user.groupAdd };
}

/** The columns of {@link UserRow} that hold the given settings. */
export function privacyColumns(settings: Partial<PrivacySettings>): Partial<Pick<UserRow, 'lastSeenAudience' | 'profileAudience' | 'readReceipts' | 'groupAdd'>> {
  const out: Partial<Pick<UserRow, 'lastSeenAudience' | 'profileAudience' | 'readReceipts' | 'groupAdd'>> = {};
  if (settings.lastSeen !== undefined) out.lastSeenAudience = settings.lastSeen;
  if (settings.profile !== undefined) out.profileAudience = settings.profile;
  if (settings.readReceipts !== undefined) out.readReceipts = settings.readReceipts;
  if (settings.groupAdd !== undefined) out.groupAdd = settings.groupAdd;
  return out;
}

export interface SessionRow {
  tokenHash: string;
  userId: UserId;
  createdAt: number;
  /** Idle expiry: slides forward with use. */
  expiresAt: number;
  /** Absolute expiry: never moves. */
  absoluteExpiresAt: number;
  /** The User-Agent that signed in, if any (devices list). */
  userAgent?: string | null;
  /** Last use, to the minute (devices list); null until first marked. */
  lastActiveAt?: number | null;
}

export interface ResetTokenRow {
  tokenHash: string;
  userId: UserId;
  expiresAt: number;
}

export interface RoomRow {
  id: RoomId;
  kind: 'dm' | 'group';
  createdBy: UserId;
  createdAt: number;
}

export interface RoomMemberRow {
  userId: UserId;
  role: MemberRole;
}

/** A group invite link: see `group_invites`. */
export interface InviteRow {
  tokenHash: string;
  roomId: RoomId;
  createdBy: UserId;
  createdAt: number;
  revokedAt: number | null;
}

/** A room with disappearing messages on: see {@link Store.setDisappearing}. */
export interface DisappearingRow {
  roomId: RoomId;
  afterMs: number;
  since: number;
  checkedBucket: number;
}

/** Someone who left a group or was removed: they keep reading its buckets 0..`throughBucket`. */
export interface FormerMemberRow {
  userId: UserId;
  throughBucket: number;
}

/**
 * A finished upload. `id` is random and unguessable; `sha256` names the stored blob
 * (the same bytes uploaded twice share one); `mime` was detected from the bytes.
 * Images also have their pixel size, a thumbnail blob and a ThumbHash placeholder
 * (base64).
 */
export interface FileRow {
  id: string;
  roomId: RoomId;
  uploaderId: UserId;
  name: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbhash: string | null;
  sha256: string;
  thumbSha256: string | null;
  createdAt: number;
  /** When the guard first accepted a message attaching it; null while it was never sent. */
  referencedAt: number | null;
  /** When the message carrying it was deleted for everyone: it is no longer served. */
  deletedAt: number | null;
}

/** The blobs `rows` name, each once: their bytes and their thumbnails. */
export function blobNamesOf(rows: readonly Pick<FileRow, 'sha256' | 'thumbSha256'>[]): string[] {
  return [...new Set(rows.flatMap((f) => (f.thumbSha256 ? [f.sha256, f.thumbSha256] : [f.sha256])))];
}
