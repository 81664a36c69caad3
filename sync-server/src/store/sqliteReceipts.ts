import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { MemberReceipt } from '../../../schema/api/receipts';
import { receiptPositions, receiptSteps } from './db/sqlite';
import type { ReceiptAdvanceRow, ReceiptStore } from './db/receiptStore';
import type { MemberPositions, Position, ReceiptKind } from '../../../schema/docs/receipts';
import type { RoomId, UserId } from '../../../schema/ids';
import { foldAdvances, memberKey, memberReceiptsOf, positionsByRoom, type PositionRow } from './receiptRows';

/** Rows per statement: well under SQLite's bound-parameter cap at six columns a row. */
const CHUNK = 1_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Receipts in the SQLite store; its single writer serialises `advance` across processes. */
export class SqliteReceipts implements ReceiptStore {
  constructor(private readonly db: BetterSQLite3Database) {}

  async advance(rows: readonly ReceiptAdvanceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const roomIds = [...new Set(rows.map((r) => r.roomId))];
    const userIds = [...new Set(rows.map((r) => r.userId))];
    this.db.transaction(
      (tx) => {
        const current = new Map<string, PositionRow>();
        // Rooms × users is a superset of the pairs asked; the fold picks the pairs it needs.
        for (const rooms of chunks(roomIds)) {
          for (const users of chunks(userIds)) {
            const found = tx
              .select()
              .from(receiptPositions)
              .where(and(inArray(receiptPositions.roomId, rooms), inArray(receiptPositions.userId, users)))
              .all();
            for (const row of found) current.set(memberKey(row.roomId, row.userId), row);
          }
        }
        const { positions, steps } = foldAdvances(current, rows);
        for (const batch of chunks(positions)) {
          tx.insert(receiptPositions)
            .values(batch)
            .onConflictDoUpdate({
              target: [receiptPositions.roomId, receiptPositions.userId],
              set: {
                deliveredBucket: sql`excluded.delivered_bucket`,
                deliveredIndex: sql`excluded.delivered_index`,
                readBucket: sql`excluded.read_bucket`,
                readIndex: sql`excluded.read_index`,
              },
            })
            .run();
        }
        for (const batch of chunks(steps)) tx.insert(receiptSteps).values(batch).onConflictDoNothing().run();
      },
      { behavior: 'immediate' },
    );
  }

  async positions(roomIds: readonly RoomId[]): Promise<Map<RoomId, Map<UserId, MemberPositions>>> {
    const rows = chunks(roomIds).flatMap((rooms) => this.db.select().from(receiptPositions).where(inArray(receiptPositions.roomId, rooms)).all());
    return positionsByRoom(rows);
  }

  async reachedAt(roomId: RoomId, position: Position): Promise<MemberReceipt[]> {
    // Per member with any position: their first step of each kind at or past `position`.
    const firstAt = (kind: ReceiptKind) =>
      // Spelled out with an alias: the correlation to the outer row must not resolve to the inner table's columns.
      sql<number | string | null>`(select s.at from receipt_steps s
        where s.room_id = receipt_positions.room_id and s.user_id = receipt_positions.user_id and s.kind = ${kind}
          and (s.bucket, s.idx) >= (${position.bucket}, ${position.index})
        order by s.bucket, s.idx limit 1)`;
    const rows = this.db
      .select({ userId: receiptPositions.userId, delivered: firstAt('delivered'), read: firstAt('read') })
      .from(receiptPositions)
      .where(eq(receiptPositions.roomId, roomId)).all();
    return memberReceiptsOf(rows);
  }

}
