import { keepAtMost } from '../bounded';
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

/**
 * Names parsed lately, and what they parsed to. The server's hooks each parse the name
 * of the doc an update is for (the guard, persistence, the projection, privacy, presence),
 * about five times per update; a handful of names cover a busy server's traffic. Bounded,
 * the oldest dropped first, so forged names cannot grow it; each entry frozen, so no
 * caller can change what the next one gets.
 */
const parsedNames = new Map<string, DocRef | null>();
const PARSED_NAMES_KEPT = 10_000;

/** Parses a document name; `null` for anything not of the four known shapes. */
export function parseDocName(name: string): DocRef | null {
  const known = parsedNames.get(name);
  if (known !== undefined) return known;
  const ref = parseNewDocName(name);
  parsedNames.set(name, ref && frozen(ref));
  keepAtMost(parsedNames, PARSED_NAMES_KEPT);
  return ref;
}

function frozen(ref: DocRef): DocRef {
  if ('room' in ref) {
    if (ref.room.kind === 'dm') Object.freeze(ref.room.members);
    Object.freeze(ref.room);
  }
  return Object.freeze(ref);
}

function parseNewDocName(name: string): DocRef | null {
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
