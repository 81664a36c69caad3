import { z } from 'zod';
import type { UserId } from '../ids';
import { MAX_POSITION_PART } from '../docs/receipts';

/**
 * `GET /api/rooms/:roomId/receipts?bucket=&index=`: "Message info" for the message at
 * that position, asked when the dialog opens rather than broadcast to every member.
 * These are its path parameters.
 */
export const roomReceiptsParams = z.object({ roomId: z.string().min(1).max(200) }).strict();

/** The message's position (see `Position` in `schema/docs/receipts.ts`), from the query string. */
export const roomReceiptsQuery = z
  .object({
    bucket: z.coerce.number().int().nonnegative().max(MAX_POSITION_PART),
    index: z.coerce.number().int().nonnegative().max(MAX_POSITION_PART),
  })
  .strict();

/** When one member's devices first had (`deliveredAt`) and first showed (`readAt`) the message; null: not yet. */
export interface MemberReceipt {
  userId: UserId;
  deliveredAt: number | null;
  readAt: number | null;
}

/** The body of a `200`: the members whose receipts reached the message (others have not yet). */
export interface RoomReceiptsResponse {
  receipts: MemberReceipt[];
}
