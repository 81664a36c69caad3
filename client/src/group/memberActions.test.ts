import { describe, expect, it } from 'vitest';
import type { Member } from '#schema/docs/roomHead';
import type { UserId } from '#schema/ids';
import { memberActions, sortMembers } from './memberActions';

const ME = 'me' as UserId;
const member = (role: Member['role'], addedAt = 1): Member => ({ role, addedBy: ME, addedAt });

describe('what the group info offers', () => {
  it('offers a plain member nothing, and nobody anything on their own row', () => {
    expect(memberActions('member', ME, { id: 'b' as UserId, role: 'member' })).toEqual({ makeAdmin: false, dismissAdmin: false, remove: false });
    expect(memberActions('owner', ME, { id: ME, role: 'owner' })).toEqual({ makeAdmin: false, dismissAdmin: false, remove: false });
  });

  it('lets an admin manage members and admins but leaves the owner alone', () => {
    expect(memberActions('admin', ME, { id: 'b' as UserId, role: 'member' })).toEqual({ makeAdmin: true, dismissAdmin: false, remove: true });
    expect(memberActions('admin', ME, { id: 'b' as UserId, role: 'admin' })).toEqual({ makeAdmin: false, dismissAdmin: true, remove: true });
    expect(memberActions('admin', ME, { id: 'o' as UserId, role: 'owner' })).toEqual({ makeAdmin: false, dismissAdmin: false, remove: false });
    expect(memberActions('owner', ME, { id: 'o' as UserId, role: 'owner' }).remove).toBe(true);
  });

  it('lists owners, then admins, then members, by name', () => {
    const names: Record<string, string> = { a: 'Zoe', b: 'Adam', c: 'Mia', d: 'Bea' };
    const members = new Map<UserId, Member>([
      ['a' as UserId, member('member')],
      ['b' as UserId, member('member')],
      ['c' as UserId, member('owner')],
      ['d' as UserId, member('admin')],
    ]);
    expect(sortMembers(members, (id) => names[id]!).map((id) => names[id])).toEqual(['Mia', 'Bea', 'Adam', 'Zoe']);
  });
});
