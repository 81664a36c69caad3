import type { DocRef } from './docs/names';
import type { MemberRole } from './docs/roomHead';

/**
 * Who may read and write each kind of document, as data. The sync server's
 * `onAuthenticate` enforces `read`; the update guard enforces the finer write rules;
 * the client uses the same table to hide actions a person may not take.
 *
 * - `member`: a member of the room (for a DM, one of the two people in its id);
 * - `owner`: the user whose id is in the doc name.
 */
export const DOC_READERS = {
  roomHead: 'member',
  bucket: 'member',
  contacts: 'owner',
  inbox: 'owner',
} as const satisfies Record<DocRef['kind'], 'member' | 'owner'>;

/** What a group role allows beyond writing messages. */
export type Capability = 'rename' | 'addMember' | 'removeMember' | 'setAdmin' | 'deleteAnyMessage';

const CAPABILITIES: Record<MemberRole, ReadonlySet<Capability>> = {
  owner: new Set(['rename', 'addMember', 'removeMember', 'setAdmin', 'deleteAnyMessage']),
  admin: new Set(['rename', 'addMember', 'removeMember', 'setAdmin', 'deleteAnyMessage']),
  member: new Set(),
};

/** Whether a group member with `role` may do `capability`. */
export function can(role: MemberRole | undefined, capability: Capability): boolean {
  return role ? CAPABILITIES[role].has(capability) : false;
}
