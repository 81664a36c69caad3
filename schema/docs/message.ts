import { z } from 'zod';
import type { MessageId, UserId } from '../ids';

/** Longest message text, in UTF-16 code units: long enough for a pasted page, short enough to keep buckets small. */
export const MAX_MESSAGE_TEXT = 16_000;
/** Longest preview kept in a chat index entry. */
export const PREVIEW_LENGTH = 120;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/**
 * A message as appended to a bucket's `messages` array. It is never changed in place:
 * edits, deletions and reactions live in the bucket's overlay maps.
 */
export const messageSchema = z
  .object({
    id: uuid,
    authorId: uuid,
    /** Milliseconds since the epoch, by the writer's clock (shown, never used for order). */
    createdAt: z.number().int().nonnegative(),
    text: z.string().max(MAX_MESSAGE_TEXT),
    replyTo: uuid.optional(),
    mentions: z.array(uuid).max(50).optional(),
    attachment: z
      .object({ fileId: z.string().max(64), name: z.string().max(255), mime: z.string().max(100), size: z.number().int().nonnegative() })
      .strict()
      .optional(),
  })
  .strict();

export type Message = Omit<z.infer<typeof messageSchema>, 'id' | 'authorId' | 'replyTo' | 'mentions'> & {
  id: MessageId;
  authorId: UserId;
  replyTo?: MessageId;
  mentions?: UserId[];
};

/** A one-line preview of a message text for chat lists and notifications. */
export function previewOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line;
}
