import { parseRoomId, parseUserId, type RoomId, type RoomRef, type UserId } from '../ids';

/**
 * The only module that builds or parses document names. A name is
 * `<kind>/<id>[/<part>]`:
 * - `room/<roomId>`: a room's head (meta, members, receipts);
 * - `room/<roomId>/<n>`: message bucket n (0, 1, …) of that room;
 * - `contacts/<userId>`: a user's contacts;
 * - `inbox/<userId>`: a user's chat index, notifications and own state.
 */
export type DocName = string & { readonly __brand: 'DocName' };

export type DocRef = { kind: 'roomHead'; room: RoomRef } | { kind: 'bucket'; room: RoomRef; bucket: number } | { kind: 'contacts'; userId: UserId } | { kind: 'inbox'; userId: UserId };

/** Buckets are numbered from 0; the bound keeps a forged name from meaning anything. */
const MAX_BUCKET_NUMBER = 1_000_000;

export function roomHeadDoc(roomId: RoomId): DocName {
  return `room/${roomId}` as DocName;
}

export function bucketDoc(roomId: RoomId, bucket: number): DocName {
  if (!Number.isSafeInteger(bucket) || bucket < 0 || bucket > MAX_BUCKET_NUMBER) {
    throw new RangeError(`bad bucket number ${bucket}`);
  }
  return `room/${roomId}/${bucket}` as DocName;
}

export function contactsDoc(userId: UserId): DocName {
  return `contacts/${userId}` as DocName;
}

export function inboxDoc(userId: UserId): DocName {
  return `inbox/${userId}` as DocName;
}

const BUCKET = /^(0|[1-9][0-9]{0,6})$/;

/** Parses a document name; `null` for anything not of the four known shapes. */
export function parseDocName(name: string): DocRef | null {
  const parts = name.split('/');
  const [kind, id, part] = parts;
  if (!id) return null;
  if (kind === 'room' && (parts.length === 2 || parts.length === 3)) {
    const room = parseRoomId(id);
    if (!room) return null;
    if (part === undefined) return { kind: 'roomHead', room };
    if (!BUCKET.test(part)) return null;
    const bucket = Number(part);
    if (bucket > MAX_BUCKET_NUMBER) return null;
    return { kind: 'bucket', room, bucket };
  }
  if ((kind === 'contacts' || kind === 'inbox') && parts.length === 2) {
    const userId = parseUserId(id);
    if (!userId) return null;
    return { kind, userId };
  }
  return null;
}

/** The room a doc belongs to, if it is a room head or bucket. */
export function roomOfDoc(ref: DocRef): RoomRef | null {
  return ref.kind === 'roomHead' || ref.kind === 'bucket' ? ref.room : null;
}
