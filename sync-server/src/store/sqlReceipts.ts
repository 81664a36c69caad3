import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { MemberReceipt } from '#schema/api/receipts';
import type { MemberPositions, Position, ReceiptKind } from '#schema/docs/receipts';
import type { RoomId, UserId } from '#schema/ids';
import type { ReceiptAdvanceRow, ReceiptStore } from './db/receiptStore';
import { rows as read, run, type Dialect } from './dialects';
import { foldAdvances, memberKey, memberReceiptsOf, positionsByRoom, type PositionRow } from './receiptRows';

/** Lock space of a room's receipts (Postgres advisory locks), apart from the store's other lock spaces. */
const RECEIPTS_LOCK = 0x6a656303;

/**
 * Reports nobody was told are stored: their commit does not wait for the disk, and a
 * power cut that loses the last of them loses positions the devices report again as
 * they move on.
 */
const RECEIPTS_COMMIT = { lazy: true };

/** Rows per statement: well under either dialect's bound-parameter cap at six columns a row. */
const CHUNK = 1_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Receipts, written once for both dialects (`dialects.ts`). On Postgres every node
 * shares them, and another node may be moving the same members: a flush reads, folds
 * and writes its rooms under their locks (taken in one statement, in sorted order);
 * SQLite's immediate transaction holds the file's one write lock throughout.
 */
export class SqlReceipts implements ReceiptStore {
  constructor(private readonly d: Dialect) {}

  async advance(advances: readonly ReceiptAdvanceRow[]): Promise<void> {
    if (advances.length === 0) return;
    const { receiptPositions, receiptSteps } = this.d.t;
    const roomIds = [...new Set(advances.map((r) => r.roomId))];
    const userIds = [...new Set(advances.map((r) => r.userId))];
    const lock = this.d.lock.bind(this.d);
    await this.d.transaction(function* (tx) {
      yield* lock(tx, RECEIPTS_LOCK, roomIds);
      const current = new Map<string, PositionRow>();
      // Rooms × users is a superset of the pairs asked; the fold picks the pairs it needs.
      for (const rooms of chunks(roomIds)) {
        for (const users of chunks(userIds)) {
          const found = yield* read(
            tx
              .select()
              .from(receiptPositions)
              .where(and(inArray(receiptPositions.roomId, rooms), inArray(receiptPositions.userId, users))),
          );
          for (const row of found) current.set(memberKey(row.roomId, row.userId), row);
        }
      }
      const { positions, steps } = foldAdvances(current, advances);
      for (const batch of chunks(positions)) {
        yield* run(
          tx
            .insert(receiptPositions)
            .values(batch)
            .onConflictDoUpdate({
              target: [receiptPositions.roomId, receiptPositions.userId],
              set: {
                deliveredBucket: sql`excluded.delivered_bucket`,
                deliveredIndex: sql`excluded.delivered_index`,
                readBucket: sql`excluded.read_bucket`,
                readIndex: sql`excluded.read_index`,
              },
            }),
        );
      }
      for (const batch of chunks(steps)) yield* run(tx.insert(receiptSteps).values(batch).onConflictDoNothing());
    }, RECEIPTS_COMMIT);
  }

  async positions(roomIds: readonly RoomId[]): Promise<Map<RoomId, Map<UserId, MemberPositions>>> {
    const { receiptPositions } = this.d.t;
    const found: PositionRow[] = [];
    for (const rooms of chunks(roomIds)) {
      found.push(...(await this.d.db.select().from(receiptPositions).where(inArray(receiptPositions.roomId, rooms)).orderBy(asc(receiptPositions.userId))));
    }
    return positionsByRoom(found);
  }

  async reachedAt(roomId: RoomId, position: Position): Promise<MemberReceipt[]> {
    const { receiptPositions } = this.d.t;
    // Per member with any position: their first step of each kind at or past `position`.
    const firstAt = (kind: ReceiptKind) =>
      // Spelled out with an alias: the correlation to the outer row must not resolve to the inner table's columns.
      sql<number | string | null>`(select s.at from receipt_steps s
        where s.room_id = receipt_positions.room_id and s.user_id = receipt_positions.user_id and s.kind = ${kind}
          and (s.bucket, s.idx) >= (${position.bucket}, ${position.index})
        order by s.bucket, s.idx limit 1)`;
    const found = await this.d.db
      .select({ userId: receiptPositions.userId, delivered: firstAt('delivered'), read: firstAt('read') })
      .from(receiptPositions)
      .where(eq(receiptPositions.roomId, roomId));
    return memberReceiptsOf(found);
  }
}
