/**
 * What the SQLite and Postgres stores share: byte conversions, the user-search
 * predicate and the compaction fold. Kept here so the two stores differ only where
 * their drivers do.
 */
import { or, sql, type Column, type SQL } from 'drizzle-orm';
import * as Y from 'yjs';
import { applyUpdates } from '#schema/docs/applyUpdates';
import type { NewUser, Store, UserRow } from './db/store';

/** A view, not a copy: both drivers hand back a fresh Buffer per value. */
export function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Both drivers bind a Buffer as a blob/bytea; a plain Uint8Array is not reliably one. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The bytes of doc updates a write holds, what `Store.writeStats` counts. */
export function updateBytes(items: readonly { update: Uint8Array }[]): number {
  return items.reduce((sum, { update }) => sum + update.byteLength, 0);
}

/**
 * Usernames are unique case-insensitively; callers lowercase them already, and the
 * store does it again so a caller that forgets cannot create "Ann" beside "ann".
 */
export function normaliseUser(user: NewUser): NewUser {
  return { ...user, username: user.username.toLowerCase() };
}

/**
 * The columns a deleted account's row is left with: nothing that was the person's but
 * the id and (until released) the username. An empty password hash matches no password.
 */
export function anonymised(at: number, displayName: string): Pick<UserRow, 'displayName' | 'email' | 'about' | 'photo' | 'passwordHash' | 'deletedAt' | 'lastSeenAt'> {
  return { displayName, email: null, about: null, photo: null, passwordHash: '', deletedAt: at, lastSeenAt: null };
}

/**
 * Names the unique field a refused insert collided with. Inserts use ON CONFLICT DO
 * NOTHING and look up afterwards, so neither driver's error text needs parsing.
 */
export function conflictOf(user: NewUser, byUsername: UserRow | null, byEmail: UserRow | null): 'username' | 'email' {
  if (byUsername) return 'username';
  if (byEmail && user.email !== null) return 'email';
  // Neither unique field is taken, so the id was: a caller bug, not an expected outcome.
  throw new Error(`user id ${user.id} already exists`);
}

/**
 * `lower(col) LIKE 'prefix%'` over any of `columns`, with the user's `%`, `_` and `\`
 * matched literally. SQLite has no default LIKE escape character, so it is named.
 * Note SQLite's lower() folds ASCII only; Postgres folds per the database collation.
 */
export function prefixMatch(columns: readonly Column[], prefix: string): SQL {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(...columns.map((column) => sql`lower(${column}) like ${pattern} escape '\\'`))!;
}

/** The caller's fold of a snapshot and log rows into one update (`Y.mergeUpdates` in the server). */
export type Merge = Parameters<Store['compact']>[1];

/** The callback of `Store.writeDoc`. */
export type WriteDoc = Parameters<Store['writeDoc']>[1];

/** A log row as compaction reads it. */
export interface LogRow {
  id: number;
  update: Buffer;
}

/** What compaction writes back: the merged snapshot and exactly the row ids it covers. */
export interface Fold {
  snapshot: Buffer;
  ids: number[];
}

/** Runs the caller's merge over what was read; `null` when there is nothing to fold. */
export function fold(snapshot: Buffer | null, rows: readonly LogRow[], merge: Merge): Fold | null {
  return rows.length === 0 ? null : foldMerged(rows, merge(...mergeInput(snapshot, rows)));
}

/** What a merge of the snapshot and `rows` takes, as bytes. */
export function mergeInput(snapshot: Buffer | null, rows: readonly LogRow[]): [Uint8Array | null, Uint8Array[]] {
  return [snapshot && toBytes(snapshot), rows.map((row) => toBytes(row.update))];
}

/** The fold of `rows` once merged (where the merge is awaited: {@link fold} otherwise). */
export function foldMerged(rows: readonly LogRow[], merged: Uint8Array): Fold {
  return { snapshot: toBuffer(merged), ids: rows.map((row) => row.id) };
}

/**
 * Snapshot + rows → one garbage-collected update: loading a doc and re-encoding drops
 * deleted content. The upkeep thread (`sqliteMaintenance.worker.mjs`) merges the same way.
 */
export function mergeForSnapshot(snapshot: Uint8Array | null, updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  applyUpdates(doc, snapshot ? [snapshot, ...updates] : updates);
  const merged = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return merged;
}
