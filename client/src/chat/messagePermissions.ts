import { DOC_WRITERS, mayWrite, type WriterFacts } from '#schema/access';
import type { MemberRole } from '#schema/docs/roomHead';
import type { ShownMessage } from '#schema/docs/bucket';
import type { UserId } from '#schema/ids';

/** What one person may do to one message; actions they may not take are not offered at all. */
export interface MessagePermissions {
  edit: boolean;
  deleteForEveryone: boolean;
  /** "Message info" (receipts) is shown for one's own messages. */
  info: boolean;
}

/**
 * Read from the same write rules the server's guard enforces, so the menu never offers
 * an action the server would refuse. `role` is the person's group role, `member` in a DM.
 */
export function messagePermissions(message: ShownMessage, me: UserId, role: MemberRole | null): MessagePermissions {
  if (message.deleted) return { edit: false, deleteForEveryone: false, info: false };
  const facts: WriterFacts = { role, ownsDoc: false, keyIsWriter: false, isAuthor: message.authorId === me, creating: false };
  return {
    edit: mayWrite(DOC_WRITERS.bucket.edits.entry.write, facts),
    deleteForEveryone: mayWrite(DOC_WRITERS.bucket.deletions.entry.write, facts),
    info: facts.isAuthor,
  };
}
