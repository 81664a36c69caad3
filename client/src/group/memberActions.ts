import { can } from '../../../schema/access';
import type { Member, MemberRole } from '../../../schema/docs/roomHead';
import type { UserId } from '../../../schema/ids';

/** What one person may do to another member from the group info; nothing is offered that the guard would refuse. */
export interface MemberActions {
  makeAdmin: boolean;
  dismissAdmin: boolean;
  remove: boolean;
}

const NONE: MemberActions = { makeAdmin: false, dismissAdmin: false, remove: false };

/**
 * Read from `can(role, capability)`, the table the guard checks, plus the guard's one
 * rule beyond it: only an owner changes or removes an owner. One's own row offers
 * nothing (leaving is "Exit group").
 */
export function memberActions(myRole: MemberRole | null, me: UserId, target: { id: UserId; role: MemberRole }): MemberActions {
  if (target.id === me || !myRole) return NONE;
  const setAdmin = can(myRole, 'setAdmin') && target.role !== 'owner';
  return {
    makeAdmin: setAdmin && target.role === 'member',
    dismissAdmin: setAdmin && target.role === 'admin',
    remove: can(myRole, 'removeMember') && (target.role !== 'owner' || myRole === 'owner'),
  };
}

export function hasAny(actions: MemberActions): boolean {
  return actions.makeAdmin || actions.dismissAdmin || actions.remove;
}

const RANK: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };

/** Members as the group info lists them: owners, then admins, then everyone else; by name within each. */
export function sortMembers(members: ReadonlyMap<UserId, Member>, nameOf: (id: UserId) => string): { id: UserId; member: Member; name: string }[] {
  return [...members]
    .map(([id, member]) => ({ id, member, name: nameOf(id) }))
    .sort((a, b) => RANK[a.member.role] - RANK[b.member.role] || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/** The badge a member's row shows, if any. */
export function roleBadge(role: MemberRole): string | null {
  return role === 'owner' ? 'Owner' : role === 'admin' ? 'Group admin' : null;
}
