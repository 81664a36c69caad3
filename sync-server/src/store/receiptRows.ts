/**
 * What the SQLite and Postgres receipt stores share: folding a batch of advances into
 * the members' positions (forward only) and the steps to log, and shaping rows.
 */
import type { MemberReceipt } from '#schema/api/receipts';
import type { ReceiptAdvanceRow } from './db/receiptStore';
import { comparePositions, laterOf, type MemberPositions, type Position, type ReceiptKind } from '#schema/docs/receipts';
import type { RoomId, UserId } from '#schema/ids';

/** A `receipt_positions` row (a type, not an interface: SQLite's prepared statements take it as their parameters). */
export type PositionRow = {
  roomId: RoomId;
  userId: UserId;
  deliveredBucket: number | null;
  deliveredIndex: number | null;
  readBucket: number | null;
  readIndex: number | null;
};

/** A `receipt_steps` row (a type, as {@link PositionRow}). */
export type StepRow = {
  roomId: RoomId;
  bucket: number;
  index: number;
  kind: ReceiptKind;
  userId: UserId;
  at: number;
};

export function memberKey(roomId: RoomId, userId: UserId): string {
  return `${roomId}\n${userId}`;
}

function positionOf(bucket: number | null, index: number | null): Position | null {
  return bucket === null || index === null ? null : { bucket, index };
}

function positionsOfRow(row: PositionRow): MemberPositions {
  return { delivered: positionOf(row.deliveredBucket, row.deliveredIndex), read: positionOf(row.readBucket, row.readIndex) };
}

function rowOf(roomId: RoomId, userId: UserId, p: MemberPositions): PositionRow {
  return {
    roomId,
    userId,
    deliveredBucket: p.delivered?.bucket ?? null,
    deliveredIndex: p.delivered?.index ?? null,
    readBucket: p.read?.bucket ?? null,
    readIndex: p.read?.index ?? null,
  };
}

const reaches = (reach: Position | null, to: Position) => reach !== null && comparePositions(reach, to) >= 0;

/**
 * Applies `advances` in order to the `current` positions (keyed by {@link memberKey}):
 * the rows to write (only those that moved) and the steps to log (only real advances).
 */
export function foldAdvances(current: ReadonlyMap<string, PositionRow>, advances: readonly ReceiptAdvanceRow[]): { positions: PositionRow[]; steps: StepRow[] } {
  const next = new Map<string, { roomId: RoomId; userId: UserId; p: MemberPositions }>();
  const steps: StepRow[] = [];
  for (const a of advances) {
    const key = memberKey(a.roomId, a.userId);
    const stored = current.get(key);
    const entry = next.get(key) ?? { roomId: a.roomId, userId: a.userId, p: stored ? positionsOfRow(stored) : { delivered: null, read: null } };
    const { p } = entry;
    const to = { bucket: a.to.bucket, index: a.to.index };
    if (a.kind === 'joined') {
      if (reaches(p.delivered, to) && reaches(p.read, to)) continue;
      entry.p = { delivered: laterOf(p.delivered, to), read: laterOf(p.read, to) };
    } else if (a.kind === 'delivered') {
      // Reading implies having: a delivered report behind the read position adds nothing.
      if (reaches(laterOf(p.delivered, p.read), to)) continue;
      entry.p = { ...p, delivered: to };
      steps.push({ roomId: a.roomId, userId: a.userId, kind: 'delivered', bucket: to.bucket, index: to.index, at: a.at });
    } else {
      if (reaches(p.read, to)) continue;
      entry.p = { ...p, read: to };
      steps.push({ roomId: a.roomId, userId: a.userId, kind: 'read', bucket: to.bucket, index: to.index, at: a.at });
    }
    next.set(key, entry);
  }
  return { positions: [...next.values()].map((e) => rowOf(e.roomId, e.userId, e.p)), steps };
}

/** Groups position rows by room. */
export function positionsByRoom(rows: readonly PositionRow[]): Map<RoomId, Map<UserId, MemberPositions>> {
  const out = new Map<RoomId, Map<UserId, MemberPositions>>();
  for (const row of rows) {
    const room = out.get(row.roomId) ?? new Map<UserId, MemberPositions>();
    room.set(row.userId, positionsOfRow(row));
    out.set(row.roomId, room);
  }
  return out;
}

/**
 * "Message info" rows from each member's first delivered and first read step at or
 * past a message: having read it means having had it, so delivered is the earlier of
 * the two. Members with neither (they only joined past it) are left out.
 */
export function memberReceiptsOf(rows: readonly { userId: UserId; delivered: number | string | null; read: number | string | null }[]): MemberReceipt[] {
  const out: MemberReceipt[] = [];
  for (const row of rows) {
    // Postgres hands bigints back as strings.
    const delivered = row.delivered === null ? null : Number(row.delivered);
    const readAt = row.read === null ? null : Number(row.read);
    if (delivered === null && readAt === null) continue;
    const deliveredAt = delivered === null ? readAt : readAt === null ? delivered : Math.min(delivered, readAt);
    out.push({ userId: row.userId, deliveredAt, readAt });
  }
  return out.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
