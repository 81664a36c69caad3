import type { RoomId, UserId } from '#schema/ids';
import type { MemberReceipt } from '#schema/api/receipts';
import type { MemberPositions, Position, ReceiptKind } from '#schema/docs/receipts';

/**
 * One change to a member's receipts. `delivered`/`read`: their devices reported it at
 * `at`. `joined`: they were added to the room when it had reached `to`, so they count
 * as having everything up to there (no step is logged: they did not read it).
 */
export interface ReceiptAdvanceRow {
  roomId: RoomId;
  userId: UserId;
  kind: ReceiptKind | 'joined';
  to: Position;
  at: number;
}

/**
 * The receipts part of the {@link Store} (design §5b): each member's positions per
 * room, and the log of their advances that "Message info" reads. Two implementations,
 * one contract suite (`receiptStoreContract.ts`).
 */
export interface ReceiptStore {
  /**
   * Applies a batch of advances in one transaction (one commit, whatever its size),
   * serialised per room across processes. A position only moves forward; an advance
   * that moves nothing changes nothing and logs no step.
   */
  advance(rows: readonly ReceiptAdvanceRow[]): Promise<void>;
  /** The positions of every member with any, per room asked. */
  positions(roomIds: readonly RoomId[]): Promise<Map<RoomId, Map<UserId, MemberPositions>>>;
  /**
   * For each member whose receipts reached `position`: when they first had it
   * (delivered, or read, which implies it) and first read it. Members who reached it
   * only by joining later are not listed.
   */
  reachedAt(roomId: RoomId, position: Position): Promise<MemberReceipt[]>;
}
