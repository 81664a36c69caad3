import { memberChangeRefusal } from '#schema/access';
import type { Member, MemberRole } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';

/** What one person may do to another member from the group info; nothing is offered that the guard would refuse. */
export interface MemberActions {
  makeAdmin: boolean;
  dismissAdmin: boolean;
  remove: boolean;
}

const NONE: MemberActions = { makeAdmin: false, dismissAdmin: false, remove: false };

/**
 * Each action is offered when `memberChangeRefusal`, the rule the update guard judges
 * the change with, allows it. One's own row offers nothing: the rule refuses changing
 * one's own role, and removing oneself is leaving, which is "Exit group".
 */
export function memberActions(myRole: MemberRole | null, me: UserId, target: { id: UserId; role: MemberRole }): MemberActions {
  if (target.id === me || !myRole) return NONE;
  const allowed = (after: MemberRole | null) => memberChangeRefusal({ id: me, role: myRole, creating: false }, { target: target.id, before: target.role, after }) === null;
  return {
    makeAdmin: target.role === 'member' && allowed('admin'),
    dismissAdmin: target.role === 'admin' && allowed('member'),
    remove: allowed(null),
  };
}

export function hasAny(actions: MemberActions): boolean {
  return actions.makeAdmin || actions.dismissAdmin || actions.remove;
}

const RANK: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };

/**
 * Members' ids in the order the group info lists them: owners, then admins, then everyone
 * else; by name within each. Ids, not rows: a list keyed by strings keeps each row (and its
 * open menu) while the head changes under it.
 */
export function sortMembers(members: ReadonlyMap<UserId, Member>, nameOf: (id: UserId) => string): UserId[] {
  const rows = [...members].map(([id, member]) => ({ id, rank: RANK[member.role], name: nameOf(id) }));
  return rows.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1)).map((row) => row.id);
}

/** The badge a member's row shows, if any. */
export function roleBadge(role: MemberRole): string | null {
  return role === 'owner' ? 'Owner' : role === 'admin' ? 'Group admin' : null;
}
