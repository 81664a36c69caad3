import type { RoomId, UserId } from '../ids';
import type { MemberRole } from '../docs/roomHead';
import type { ReceiptStore } from './receiptStore';

/**
 * The store contract: everything the sync server keeps in SQL. Two implementations
 * (SQLite via better-sqlite3, Postgres via pg, both through drizzle) pass one contract
 * suite (`storeContract.ts`). Times are milliseconds since the epoch.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  // users
  /** Creates a user; `{conflict}` names the unique field already taken. */
  createUser(user: NewUser): Promise<{ ok: true } | { conflict: 'username' | 'email' }>;
  getUserById(id: UserId): Promise<UserRow | null>;
  getUserByUsername(username: string): Promise<UserRow | null>;
  getUserByEmail(email: string): Promise<UserRow | null>;
  getUsersByIds(ids: readonly UserId[]): Promise<UserRow[]>;
  /** Users whose username or display name starts with `prefix` (case-insensitive), at most `limit`, by username. */
  searchUsers(prefix: string, limit: number): Promise<UserRow[]>;
  setPasswordHash(id: UserId, passwordHash: string): Promise<void>;
  setLastSeen(id: UserId, at: number): Promise<void>;
  /** Changes the fields given of the user's profile; the others stay. */
  setProfile(id: UserId, profile: { displayName?: string; about?: string | null }): Promise<void>;

  // sessions (only the SHA-256 of the token is ever stored)
  createSession(session: SessionRow): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRow | null>;
  /** Slides the idle expiry; never past the absolute expiry (the caller computes it). */
  touchSession(tokenHash: string, expiresAt: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteUserSessions(userId: UserId): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;
  /** Every session of the user (expired ones too until they are swept), oldest first. */
  listUserSessions(userId: UserId): Promise<SessionRow[]>;
  /** Records a use of the session for the devices list. */
  markSessionActive(tokenHash: string, at: number): Promise<void>;

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
  /** Creates the room row if missing and replaces its member list in one transaction. */
  saveRoomMembers(room: RoomRow, members: readonly RoomMemberRow[]): Promise<void>;
  getRoomMembers(id: RoomId): Promise<RoomMemberRow[]>;
  getMemberRole(roomId: RoomId, userId: UserId): Promise<MemberRole | null>;
  listUserRooms(userId: UserId): Promise<RoomId[]>;

  // Yjs client ids, claimed by the first user who writes with them
  /** Claims `clientId` for `userId` unless already claimed; returns the owner either way. */
  claimClientId(clientId: number, userId: UserId): Promise<UserId>;
  /** Who claimed `clientId`, or null if nobody has: a read, never a claim. */
  clientIdOwner(clientId: number): Promise<UserId | null>;

  // document persistence: an append-only update log plus snapshots
  /** Appends one update durably; resolves only when it is committed. */
  appendUpdate(docName: string, update: Uint8Array): Promise<void>;
  /** The latest snapshot (or null) and every later log row, in append order. */
  loadDoc(docName: string): Promise<{ snapshot: Uint8Array | null; updates: Uint8Array[] }>;
  countUpdates(docName: string): Promise<number>;
  /**
   * Replaces the snapshot and the log rows it covers with `merge(snapshot, rows)`, in
   * one transaction, serialised per doc across processes: rows appended meanwhile are
   * kept. Returns how many rows were folded in.
   */
  compact(docName: string, merge: (snapshot: Uint8Array | null, updates: Uint8Array[]) => Uint8Array): Promise<number>;
  /**
   * A read-modify-write of a doc through the log, serialised per doc across processes:
   * in one transaction holding the doc's lock, `write` gets the doc's stored state
   * (snapshot and later rows) and returns the update to append, or null for none.
   * `write` must be synchronous. Server-side writes use it so that two processes
   * writing the same key never both work from a stale copy.
   */
  writeDoc(docName: string, write: (stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }) => Uint8Array | null): Promise<void>;
  /** Whether anything was ever stored for the doc. */
  docExists(docName: string): Promise<boolean>;

  /** Members' receipt positions and their advances (design §5b). */
  readonly receipts: ReceiptStore;

  /** Readiness: a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
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
