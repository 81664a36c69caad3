import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { MemberReceipt } from '../../../schema/api/receipts';
import { receiptPositions, receiptSteps } from './db/pg';
import type { ReceiptAdvanceRow, ReceiptStore } from './db/receiptStore';
import type { MemberPositions, Position, ReceiptKind } from '../../../schema/docs/receipts';
import type { RoomId, UserId } from '../../../schema/ids';
import { foldAdvances, memberKey, memberReceiptsOf, positionsByRoom, type PositionRow } from './receiptRows';

/** Advisory lock namespace for a room's receipts, apart from the store's other lock spaces. */
const RECEIPTS_LOCK_NAMESPACE = 0x6a656303;

/** Rows per statement: well under Postgres' 65,535 bound parameters at six columns a row. */
const CHUNK = 1_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Receipts in the Postgres store, shared by every node. */
export class PgReceipts implements ReceiptStore {
  constructor(private readonly db: NodePgDatabase) {}

  async advance(rows: readonly ReceiptAdvanceRow[]): Promise<void> {
    if (rows.length === 0) return;
    // Sorted, so two nodes locking overlapping sets of rooms cannot deadlock.
    const roomIds = [...new Set(rows.map((r) => r.roomId))].sort();
    const userIds = [...new Set(rows.map((r) => r.userId))];
    await this.db.transaction(async (tx) => {
      // Another node may be moving the same members: read, fold and write one room at a time across nodes.
      // One round trip for all of them, taken in sorted order (a deadlock would abort one flush, which retries).
      await tx.execute(
        sql`select pg_advisory_xact_lock(${RECEIPTS_LOCK_NAMESPACE}, hashtext(r)) from (select r from jsonb_array_elements_text(${JSON.stringify(roomIds)}::jsonb) as r order by r) as sorted`,
      );
      const current = new Map<string, PositionRow>();
      for (const rooms of chunks(roomIds)) {
        for (const users of chunks(userIds)) {
          const found = await tx
            .select()
            .from(receiptPositions)
            .where(and(inArray(receiptPositions.roomId, rooms), inArray(receiptPositions.userId, users)));
          for (const row of found) current.set(memberKey(row.roomId, row.userId), row);
        }
      }
      const { positions, steps } = foldAdvances(current, rows);
      for (const batch of chunks(positions)) {
        await tx
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
          });
      }
      for (const batch of chunks(steps)) await tx.insert(receiptSteps).values(batch).onConflictDoNothing();
    });
  }

  async positions(roomIds: readonly RoomId[]): Promise<Map<RoomId, Map<UserId, MemberPositions>>> {
    const rows: PositionRow[] = [];
    for (const rooms of chunks(roomIds)) {
      rows.push(...(await this.db.select().from(receiptPositions).where(inArray(receiptPositions.roomId, rooms)).orderBy(asc(receiptPositions.userId))));
    }
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
    const rows = await this.db
      .select({ userId: receiptPositions.userId, delivered: firstAt('delivered'), read: firstAt('read') })
      .from(receiptPositions)
      .where(eq(receiptPositions.roomId, roomId));
    return memberReceiptsOf(rows);
  }

}
