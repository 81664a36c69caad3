/**
 * Branded identifiers. A plain string never passes for an id by accident: values
 * become ids only through the parsers here (or {@link newUserId}/{@link newGroupId}),
 * which check their shape once at the boundary.
 */
export type UserId = string & { readonly __brand: 'UserId' };
export type RoomId = string & { readonly __brand: 'RoomId' };
export type MessageId = string & { readonly __brand: 'MessageId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A user id is a lowercase UUID, so it never contains the `.` and `/` that room ids and doc names use as separators. */
export function parseUserId(value: string): UserId | null {
  return UUID.test(value) ? (value as UserId) : null;
}

export function newUserId(): UserId {
  return crypto.randomUUID() as UserId;
}

/** A message id is a lowercase UUID made by the writing client, so a message can be written offline. */
export function parseMessageId(value: string): MessageId | null {
  return UUID.test(value) ? (value as MessageId) : null;
}

export function newMessageId(): MessageId {
  return crypto.randomUUID() as MessageId;
}

/** What a room id says about the room without opening it. */
export type RoomRef = { kind: 'dm'; id: RoomId; members: readonly [UserId, UserId] } | { kind: 'group'; id: RoomId };

/**
 * DM ids are deterministic (`dm.<a>.<b>`, the two user ids sorted) so that two people
 * who start the same DM while offline end up in one room.
 */
export function dmRoomId(a: UserId, b: UserId): RoomId {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `dm.${x}.${y}` as RoomId;
}

/** A group id is made by the creating client (`g.<uuid>`), so a group can be created offline. */
export function newGroupId(): RoomId {
  return `g.${crypto.randomUUID()}` as RoomId;
}

/** Parses a room id; `null` for anything that is not a well-formed DM or group id. */
export function parseRoomId(value: string): RoomRef | null {
  const parts = value.split('.');
  if (parts[0] === 'dm' && parts.length === 3) {
    const a = parseUserId(parts[1]!);
    const b = parseUserId(parts[2]!);
    // A DM with oneself, or with the ids unsorted, would give one pair two rooms.
    if (!a || !b || !(a < b)) return null;
    return { kind: 'dm', id: value as RoomId, members: [a, b] };
  }
  if (parts[0] === 'g' && parts.length === 2 && UUID.test(parts[1]!)) {
    return { kind: 'group', id: value as RoomId };
  }
  return null;
}
